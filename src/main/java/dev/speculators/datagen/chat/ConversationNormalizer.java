package dev.speculators.datagen.chat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns a dataset record into a {@link Conversation}, following the upstream preprocessing rules:
 * turns under {@code conversations} or {@code messages}, each with {@code from/value} or {@code
 * role/content}; roles {@code human|user → user}, {@code gpt|assistant → assistant}, {@code
 * system}; any other role is dropped and counted. Content given as a list of parts keeps its text
 * parts.
 *
 * <p>Two rules go beyond upstream because every row needs a prompt to render: assistant turns that
 * come before the first user turn are dropped (counted), and turns after the last assistant turn
 * are cut (they are in no row). A record without any assistant turn yields no conversation.
 */
public final class ConversationNormalizer {
  private final Map<String, AtomicLong> droppedRoles = new TreeMap<>();
  private final AtomicLong leadingAssistantTurns = new AtomicLong();
  private final AtomicLong withoutAssistant = new AtomicLong();

  /**
   * @return the conversation, or empty when the record has no assistant turn left
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
    boolean seenUser = false;
    int t = 0;
    for (JsonNode turn : turns) {
      String rawRole = text(turn, "role", "from");
      if (rawRole == null) {
        throw new IllegalArgumentException("turn " + t + " has no \"role\" or \"from\"");
      }
      String role = mapRole(rawRole);
      t++;
      if (role == null) {
        synchronized (droppedRoles) {
          droppedRoles.computeIfAbsent(rawRole, k -> new AtomicLong()).incrementAndGet();
        }
        continue;
      }
      if (ChatMessage.ASSISTANT.equals(role) && !seenUser) {
        leadingAssistantTurns.incrementAndGet();
        continue;
      }
      seenUser |= ChatMessage.USER.equals(role);
      out.add(new ChatMessage(role, content(turn, t - 1)));
    }
    int last = out.size() - 1;
    while (last >= 0 && !out.get(last).isAssistant()) {
      last--;
    }
    if (last < 0) {
      withoutAssistant.incrementAndGet();
      return Optional.empty();
    }
    return Optional.of(new Conversation(out.subList(0, last + 1)));
  }

  static String mapRole(String raw) {
    return switch (raw.toLowerCase(java.util.Locale.ROOT)) {
      case "human", "user" -> ChatMessage.USER;
      case "gpt", "assistant" -> ChatMessage.ASSISTANT;
      case "system" -> ChatMessage.SYSTEM;
      default -> null;
    };
  }

  private static String text(JsonNode turn, String a, String b) {
    JsonNode v = turn.get(a);
    if (v == null || v.isNull()) {
      v = turn.get(b);
    }
    return v == null || v.isNull() ? null : v.asText();
  }

  private static String content(JsonNode turn, int index) {
    JsonNode v = turn.get("content");
    if (v == null || v.isNull()) {
      v = turn.get("value");
    }
    if (v == null || v.isNull()) {
      return "";
    }
    if (v.isTextual()) {
      return v.asText();
    }
    if (v.isArray()) {
      StringBuilder sb = new StringBuilder();
      for (JsonNode part : v) {
        if (part.isTextual()) {
          sb.append(part.asText());
        } else if ("text".equals(part.path("type").asText()) && part.has("text")) {
          sb.append(part.get("text").asText());
        }
      }
      return sb.toString();
    }
    if (v.isValueNode()) {
      return v.asText();
    }
    throw new IllegalArgumentException("turn " + index + " has content of type " + v.getNodeType());
  }

  private static String keys(JsonNode record) {
    List<String> names = new ArrayList<>();
    record.fieldNames().forEachRemaining(names::add);
    return names.isEmpty() ? "none" : String.join(", ", names);
  }

  /** Dropped turns by original role name (e.g. {@code tool: 12}). */
  public Map<String, Long> droppedRoles() {
    Map<String, Long> out = new TreeMap<>();
    synchronized (droppedRoles) {
      droppedRoles.forEach((k, v) -> out.put(k, v.get()));
    }
    return out;
  }

  public long droppedLeadingAssistantTurns() {
    return leadingAssistantTurns.get();
  }

  public long recordsWithoutAssistant() {
    return withoutAssistant.get();
  }
}
