package dev.speculators.datagen.chat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Test data from {@code src/test/python/datagen_chat_goldens.py}: real tokenizers and Python
 * renderings.
 */
final class GoldenChats {
  static final ObjectMapper JSON = new ObjectMapper();

  private GoldenChats() {}

  static Path dir(String model) {
    try {
      return Path.of(
              GoldenChats.class.getResource("/datagen/chat/" + model + "/golden.json").toURI())
          .getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonNode golden(String model) {
    try {
      return JSON.readTree(dir(model).resolve("golden.json").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Upstream speculators' rows for {@code upstream/conversations.json}, see its generator. */
  static JsonNode upstreamRows(String model) {
    try {
      return JSON.readTree(dir(model).resolve("upstream-rows.json").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static TokenizerConfig config(String model) {
    try {
      return TokenizerConfig.read(dir(model));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Unpacks {@code tokenizer.json.gz} into {@code dir} as a model directory a renderer can open.
   */
  static Path modelDir(String model, Path dir) throws IOException {
    Files.createDirectories(dir);
    try (InputStream in =
        new GZIPInputStream(Files.newInputStream(dir(model).resolve("tokenizer.json.gz")))) {
      Files.copy(in, dir.resolve("tokenizer.json"));
    }
    Files.copy(dir(model).resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"));
    return dir;
  }

  static List<Map<String, Object>> messages(JsonNode node) {
    return JSON.convertValue(node, new TypeReference<>() {});
  }

  static Map<String, Object> kwargs(JsonNode node) {
    return JSON.convertValue(node, new TypeReference<>() {});
  }
}
