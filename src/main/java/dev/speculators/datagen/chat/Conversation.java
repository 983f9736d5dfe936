package dev.speculators.datagen.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A normalised conversation: system/user/assistant turns, never ending after its last assistant
 * turn.
 */
public record Conversation(List<ChatMessage> messages) {
  public Conversation {
    messages = List.copyOf(messages);
  }

  /** Indexes of the assistant turns, in order. */
  public int[] assistantIndexes() {
    return java.util.stream.IntStream.range(0, messages.size())
        .filter(i -> messages.get(i).isAssistant())
        .toArray();
  }

  public int assistantTurns() {
    return (int) messages.stream().filter(ChatMessage::isAssistant).count();
  }

  /** The first {@code n} turns as template messages. */
  public List<Map<String, Object>> prefix(int n) {
    List<Map<String, Object>> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(messages.get(i).toMap());
    }
    return out;
  }

  public long characters() {
    return messages.stream().mapToLong(m -> m.content().length()).sum();
  }
}
