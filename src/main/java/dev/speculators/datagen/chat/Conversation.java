package dev.speculators.datagen.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A normalised conversation: system, user, assistant and tool turns, never ending after its last
 * assistant turn.
 */
public record Conversation(List<ChatMessage> messages) {
  public Conversation {
    messages = List.copyOf(messages);
  }

  /** Indexes of the assistant turns, in order. */
  public int[] assistantIndexes() {
    return IntStream.range(0, messages.size()).filter(i -> messages.get(i).isAssistant()).toArray();
  }

  /**
   * Indexes of the assistant turns that are trained on: every assistant turn but one that opens the
   * conversation, which has no prompt to bound its tokens against and stays context only (as
   * upstream speculators does).
   */
  public int[] trainedTurns() {
    return IntStream.range(1, messages.size()).filter(i -> messages.get(i).isAssistant()).toArray();
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
    return messages.stream()
        .mapToLong(m -> m.content().length() + (m.reasoning() == null ? 0 : m.reasoning().length()))
        .sum();
  }
}
