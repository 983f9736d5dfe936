package dev.speculators.datagen.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a chat template needs from a Hugging Face {@code tokenizer_config.json}: the template text
 * ({@code chat_template} as a string, or the {@code "default"} entry of a list of named templates,
 * or a {@code chat_template.jinja} file next to it) and the special tokens transformers passes to
 * the template ({@code bos_token}, {@code eos_token}, ...; each a string or an AddedToken object).
 */
public record TokenizerConfig(String chatTemplate, Map<String, Object> specialTokens) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> SPECIAL_TOKEN_KEYS =
      List.of(
          "bos_token",
          "eos_token",
          "unk_token",
          "sep_token",
          "pad_token",
          "cls_token",
          "mask_token");

  /**
   * Reads {@code tokenizer_config.json} (and {@code chat_template.jinja} if present) from {@code
   * dir}.
   */
  public static TokenizerConfig read(Path dir) throws IOException {
    Path configFile = dir.resolve("tokenizer_config.json");
    JsonNode config =
        Files.exists(configFile) ? JSON.readTree(configFile.toFile()) : JSON.createObjectNode();
    String template = null;
    Path jinja = dir.resolve("chat_template.jinja");
    if (Files.exists(jinja)) {
      template = Files.readString(jinja, StandardCharsets.UTF_8);
    }
    if (template == null) {
      template = templateFrom(config.get("chat_template"));
    }
    if (template == null) {
      Path separate = dir.resolve("chat_template.json");
      if (Files.exists(separate)) {
        template = templateFrom(JSON.readTree(separate.toFile()).get("chat_template"));
      }
    }
    if (template == null) {
      throw new IOException(
          "no chat template in "
              + dir
              + " (tokenizer_config.json has no chat_template and there is no chat_template.jinja)");
    }
    return new TokenizerConfig(template, specialTokens(config));
  }

  static String templateFrom(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isTextual()) {
      return node.asText();
    }
    if (node.isArray()) {
      for (JsonNode entry : node) {
        if ("default".equals(entry.path("name").asText())) {
          return entry.path("template").asText();
        }
      }
    }
    return null;
  }

  static Map<String, Object> specialTokens(JsonNode config) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String key : SPECIAL_TOKEN_KEYS) {
      JsonNode v = config.get(key);
      if (v == null || v.isNull()) {
        continue;
      }
      out.put(key, v.isTextual() ? v.asText() : v.path("content").asText());
    }
    JsonNode extra = config.get("additional_special_tokens");
    if (extra != null && extra.isArray()) {
      List<String> tokens = new java.util.ArrayList<>();
      extra.forEach(t -> tokens.add(t.isTextual() ? t.asText() : t.path("content").asText()));
      out.put("additional_special_tokens", tokens);
    }
    return out;
  }

  public ChatTemplate template() {
    return new ChatTemplate(chatTemplate, specialTokens);
  }
}
