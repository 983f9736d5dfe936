package dev.speculators.datagen.chat;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Token rows and loss masks from render boundaries. For assistant turn {@code j}, {@code prompt_j =
 * render(conv[:j], add_generation_prompt=True)} and {@code full_j = render(conv[:j+1])}; the turn
 * is the tokens of {@code full_j} after {@code prompt_j} (its content and end-of-turn tokens).
 *
 * <p>Whether one row can carry every turn depends on the template: if rendering the history is a
 * token prefix of rendering the next turn (Llama-3), one row per conversation holds all assistant
 * turns, each masked. Templates that rewrite history (Qwen3 drops the {@code <think>} content of
 * earlier turns) get one row per assistant turn with only that turn masked. {@link
 * #probePrefixProperty} decides once per template, on a fixed conversation that includes {@code
 * <think>} content so that such rewriting shows.
 *
 * <p>Where two renderings are not token prefixes of each other in a row (a token merged across the
 * boundary), the mask starts after their longest common prefix. Rows are truncated to {@code
 * sequenceLength - 1} tokens: vLLM needs room for the one generated token.
 */
public final class ChatRowBuilder {
  /** The conversation the prefix property is probed on (fixed: changing it changes plans). */
  public static final Conversation PROBE =
      new Conversation(
          List.of(
              new ChatMessage(ChatMessage.USER, "Probe question one?"),
              new ChatMessage(
                  ChatMessage.ASSISTANT,
                  "<think>\nProbe reasoning.\n</think>\n\nProbe answer one."),
              new ChatMessage(ChatMessage.USER, "Probe question two?"),
              new ChatMessage(ChatMessage.ASSISTANT, "Probe answer two.")));

  private final ChatRenderer renderer;
  private final int maxTokens;

  public ChatRowBuilder(ChatRenderer renderer, int sequenceLength) {
    if (sequenceLength < 2) {
      throw new IllegalArgumentException(
          "sequence length must be at least 2, got " + sequenceLength);
    }
    this.renderer = renderer;
    this.maxTokens = sequenceLength - 1;
  }

  /** True when one row per conversation is correct for this template (see class comment). */
  public boolean probePrefixProperty() throws IOException, InterruptedException {
    int[] assistants = PROBE.assistantIndexes();
    long[] last = render(PROBE, assistants[assistants.length - 1] + 1, false);
    for (int j : assistants) {
      long[] prompt = render(PROBE, j, true);
      long[] full = render(PROBE, j + 1, false);
      if (!isPrefix(prompt, full) || !isPrefix(full, last)) {
        return false;
      }
    }
    return true;
  }

  /** Rows a conversation yields: 1 in prefix mode, else one per assistant turn. */
  public static int rowCount(Conversation c, boolean prefixMode) {
    int turns = c.assistantTurns();
    return prefixMode ? Math.min(turns, 1) : turns;
  }

  /**
   * Row {@code ordinal} of {@code c} ({@code 0} in prefix mode, else the index among its assistant
   * turns), truncated to {@code sequenceLength - 1} tokens.
   */
  public TokenRow row(Conversation c, int ordinal, boolean prefixMode)
      throws IOException, InterruptedException {
    int[] assistants = c.assistantIndexes();
    if (ordinal < 0 || ordinal >= rowCount(c, prefixMode)) {
      throw new IllegalArgumentException(
          "row " + ordinal + " of a conversation with " + rowCount(c, prefixMode) + " rows");
    }
    long[] ids;
    long[] mask;
    if (prefixMode) {
      ids = render(c, assistants[assistants.length - 1] + 1, false);
      mask = new long[ids.length];
      for (int j : assistants) {
        long[] prompt = render(c, j, true);
        long[] full = j == assistants[assistants.length - 1] ? ids : render(c, j + 1, false);
        int start = commonPrefix(prompt, ids);
        int end = commonPrefix(full, ids);
        Arrays.fill(mask, start, Math.max(start, end), 1L);
      }
    } else {
      int j = assistants[ordinal];
      long[] prompt = render(c, j, true);
      ids = render(c, j + 1, false);
      mask = new long[ids.length];
      Arrays.fill(mask, commonPrefix(prompt, ids), ids.length, 1L);
    }
    int n = Math.min(ids.length, maxTokens);
    return new TokenRow(Arrays.copyOf(ids, n), Arrays.copyOf(mask, n));
  }

  private long[] render(Conversation c, int turns, boolean addGenerationPrompt)
      throws IOException, InterruptedException {
    List<Map<String, Object>> messages = c.prefix(turns);
    return renderer.render(messages, addGenerationPrompt);
  }

  static boolean isPrefix(long[] a, long[] b) {
    return commonPrefix(a, b) == a.length;
  }

  static int commonPrefix(long[] a, long[] b) {
    int n = Math.min(a.length, b.length);
    int i = Arrays.mismatch(a, 0, n, b, 0, n);
    return i < 0 ? n : i;
  }
}
