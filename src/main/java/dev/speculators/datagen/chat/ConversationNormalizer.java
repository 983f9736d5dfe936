package dev.speculators.datagen.chat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns a dataset record into a {@link Conversation} the way upstream speculators' {@code
 * _normalize_conversation} does, with the differences listed in the datagen documentation:
 *
 * <ul>
 *   <li>turns under {@code conversations} or (here only) {@code messages}; each turn's role from
 *       {@code from}, else {@code role}; its text from {@code value}, else {@code content} (an
 *       empty value falls through, as Python's {@code or} does);
 *   <li>roles {@code human|user → user}, {@code gpt|assistant → assistant}, {@code system}, {@code
 *       tool}, matched case-insensitively; any other role is dropped and counted (upstream makes it
 *       an assistant turn);
 *   <li>the assistant's reasoning from {@code thinking}, else {@code reasoning_content}; {@code
 *       tool_calls} and {@code tool_call_id} kept;
 *   <li>content given as a list of parts keeps its text parts (plain strings and {@code type:
 *       text}) joined with {@code "\n"}, which is what vLLM does with them for these templates;
 *       other parts (images, ...) are dropped, this project trains on text.
 * </ul>
 *
 * Turns after the last assistant turn are cut (they are in no row). A record without an assistant
 * turn after its first turn yields no conversation.
 */
public final class ConversationNormalizer {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, AtomicLong> droppedRoles = new TreeMap<>();
  private final AtomicLong withoutAssistant = new AtomicLong();

  /**
   * @return the conversation, or empty when the record has no trained assistant turn
   * @throws IllegalArgumentException when the record has no conversation at all (names the key)
   */
  public Optional<Conversation> normalize(JsonNode record) {
    JsonNode turns = record.get("conversations");
    if (turns == null || turns.isNull()) {
      turns = record.get("messages");
    }
    if (turns == null || !turns.isArray()) {
      throw new IllegalArgumentException(
          "record has no \"conversations\" or \"messages\" array (keys: " + keys(record) + ")");
    }
    List<ChatMessage> out = new ArrayList<>();
    int t = 0;
    for (JsonNode turn : turns) {
      int index = t++;
      String rawRole = text(turn, "from", "role");
      if (rawRole == null) {
        throw new IllegalArgumentException("turn " + index + " has no \"role\" or \"from\"");
      }
      String role = mapRole(rawRole);
      if (role == null) {
        synchronized (droppedRoles) {
          droppedRoles.computeIfAbsent(rawRole, k -> new AtomicLong()).incrementAndGet();
        }
        continue;
      }
      out.add(
          new ChatMessage(
              role,
              content(turn, index),
              text(turn, "thinking", "reasoning_content"),
              toolCalls(turn, index),
              text(turn, "tool_call_id", null)));
    }
    int last = out.size() - 1;
    while (last >= 0 && !out.get(last).isAssistant()) {
      last--;
    }
    if (last <= 0) {
      withoutAssistant.incrementAndGet();
      return Optional.empty();
    }
    return Optional.of(new Conversation(out.subList(0, last + 1)));
  }

  static String mapRole(String raw) {
    return switch (raw.toLowerCase(Locale.ROOT)) {
      case "human", "user" -> ChatMessage.USER;
      case "gpt", "assistant" -> ChatMessage.ASSISTANT;
      case "system" -> ChatMessage.SYSTEM;
      case "tool" -> ChatMessage.TOOL;
      default -> null;
    };
  }

  /** Python's {@code turn.get(a) or turn.get(b)} for text fields: empty values fall through. */
  private static String text(JsonNode turn, String a, String b) {
    for (String key : b == null ? new String[] {a} : new String[] {a, b}) {
      JsonNode v = turn.get(key);
      if (v != null && !v.isNull() && !(v.isTextual() && v.asText().isEmpty())) {
        return v.asText();
      }
    }
    return null;
  }

  private static String content(JsonNode turn, int index) {
    JsonNode v = turn.get("value");
    if (isEmpty(v)) {
      v = turn.get("content");
    }
    if (isEmpty(v)) {
      return "";
    }
    if (v.isTextual()) {
      return v.asText();
    }
    if (v.isArray()) {
      List<String> texts = new ArrayList<>();
      for (JsonNode part : v) {
        if (part.isTextual()) {
          texts.add(part.asText());
        } else if ("text".equals(part.path("type").asText())
            && part.hasNonNull("text")
            && part.get("text").isTextual()) {
          texts.add(part.get("text").asText());
        }
      }
      return String.join("\n", texts);
    }
    if (v.isValueNode()) {
      return v.asText();
    }
    throw new IllegalArgumentException("turn " + index + " has content of type " + v.getNodeType());
  }

  private static boolean isEmpty(JsonNode v) {
    return v == null
        || v.isNull()
        || (v.isTextual() && v.asText().isEmpty())
        || (v.isArray() && v.isEmpty());
  }

  private static List<Map<String, Object>> toolCalls(JsonNode turn, int index) {
    JsonNode v = turn.get("tool_calls");
    if (v == null || v.isNull() || (v.isArray() && v.isEmpty())) {
      return null;
    }
    if (!v.isArray()) {
      throw new IllegalArgumentException("turn " + index + ": tool_calls is not a list");
    }
    for (JsonNode call : v) {
      if (!call.isObject()) {
        throw new IllegalArgumentException("turn " + index + ": a tool call is not an object");
      }
    }
    return JSON.convertValue(v, new TypeReference<List<Map<String, Object>>>() {});
  }

  private static String keys(JsonNode record) {
    List<String> names = new ArrayList<>();
    record.fieldNames().forEachRemaining(names::add);
    return names.isEmpty() ? "none" : String.join(", ", names);
  }

  /** Dropped turns by original role name (e.g. {@code bing: 12}). */
  public Map<String, Long> droppedRoles() {
    Map<String, Long> out = new TreeMap<>();
    synchronized (droppedRoles) {
      droppedRoles.forEach((k, v) -> out.put(k, v.get()));
    }
    return out;
  }

  public long recordsWithoutAssistant() {
    return withoutAssistant.get();
  }
}
