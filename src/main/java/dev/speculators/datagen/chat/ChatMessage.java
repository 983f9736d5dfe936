package dev.speculators.datagen.chat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One turn of a normalised conversation: role {@code system}, {@code user} or {@code assistant}.
 */
public record ChatMessage(String role, String content) {
  public static final String SYSTEM = "system";
  public static final String USER = "user";
  public static final String ASSISTANT = "assistant";

  public ChatMessage {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(content, "content");
  }

  public boolean isAssistant() {
    return ASSISTANT.equals(role);
  }

  /** The message as chat templates and the OpenAI API see it. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>(2);
    m.put("role", role);
    m.put("content", content);
    return m;
  }
}
