package dev.speculators.engine.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speculators.eval.EvalException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prompts of an evaluation dataset file, as chat messages ending with a user turn. A JSON Lines
 * record is either a text prompt — the {@code --text-column} field, else the first of {@code
 * prompt}, {@code text}, {@code question}, {@code input}, {@code instruction} — or a conversation
 * ({@code messages} or {@code conversations}, with {@code role/content} or {@code from/value}), of
 * which the turns up to the last user turn are used. A {@code .json} file holds an array of such
 * records.
 */
public final class PromptFile {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> TEXT_FIELDS =
      List.of("prompt", "text", "question", "input", "instruction");

  private PromptFile() {}

  /**
   * @param limit read at most this many prompts (null: all)
   * @throws EvalException naming the file and line of a record that is not a prompt
   */
  public static List<List<Map<String, Object>>> read(Path file, String textColumn, Integer limit)
      throws EvalException {
    List<JsonNode> records = new ArrayList<>();
    List<Integer> lines = new ArrayList<>();
    try {
      if (file.getFileName().toString().endsWith(".json")) {
        JsonNode all = JSON.readTree(file.toFile());
        if (!all.isArray()) {
          throw new EvalException(file + ": a .json prompt file must hold an array of records");
        }
        int i = 0;
        for (JsonNode r : all) {
          records.add(r);
          lines.add(++i);
        }
      } else {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
          String line;
          int n = 0;
          while ((line = in.readLine()) != null) {
            n++;
            if (line.isBlank()) {
              continue;
            }
            try {
              records.add(JSON.readTree(line));
            } catch (IOException e) {
              throw new EvalException(file + " line " + n + ": not JSON: " + e.getMessage(), e);
            }
            lines.add(n);
            if (limit != null && records.size() >= limit) {
              break;
            }
          }
        }
      }
    } catch (IOException e) {
      throw new EvalException(file + ": cannot read: " + e.getMessage(), e);
    }
    List<List<Map<String, Object>>> prompts = new ArrayList<>();
    for (int i = 0; i < records.size() && (limit == null || prompts.size() < limit); i++) {
      prompts.add(
          messages(
              records.get(i),
              textColumn,
              file
                  + " "
                  + (file.toString().endsWith(".json") ? "record " : "line ")
                  + lines.get(i)));
    }
    if (prompts.isEmpty()) {
      throw new EvalException(file + ": no prompts");
    }
    return prompts;
  }

  static List<Map<String, Object>> messages(JsonNode record, String textColumn, String where)
      throws EvalException {
    if (!record.isObject()) {
      throw new EvalException(where + ": a record must be a JSON object");
    }
    if (textColumn != null) {
      JsonNode v = record.get(textColumn);
      if (v == null || !v.isTextual()) {
        throw new EvalException(where + ": no text field '" + textColumn + "'");
      }
      return List.of(message("user", v.asText()));
    }
    for (String key : List.of("messages", "conversations")) {
      JsonNode turns = record.get(key);
      if (turns != null && turns.isArray()) {
        return conversation(turns, where + " (" + key + ")");
      }
    }
    for (String key : TEXT_FIELDS) {
      JsonNode v = record.get(key);
      if (v != null && v.isTextual()) {
        return List.of(message("user", v.asText()));
      }
    }
    throw new EvalException(
        where
            + ": no prompt (expected one of "
            + TEXT_FIELDS
            + ", messages or conversations; or name the field with --text-column)");
  }

  private static List<Map<String, Object>> conversation(JsonNode turns, String where)
      throws EvalException {
    List<Map<String, Object>> out = new ArrayList<>();
    int lastUser = -1;
    for (JsonNode t : turns) {
      String role = t.path("role").asText(t.path("from").asText(""));
      String content = t.has("content") ? t.path("content").asText() : t.path("value").asText();
      role =
          switch (role) {
            case "human", "user" -> "user";
            case "gpt", "assistant" -> "assistant";
            case "system" -> "system";
            default -> throw new EvalException(where + ": unknown role '" + role + "'");
          };
      out.add(message(role, content));
      if (role.equals("user")) {
        lastUser = out.size() - 1;
      }
    }
    if (lastUser < 0) {
      throw new EvalException(where + ": no user turn to answer");
    }
    return out.subList(0, lastUser + 1);
  }

  private static Map<String, Object> message(String role, String content) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("role", role);
    m.put("content", content);
    return m;
  }
}
