package dev.speculators.datagen.chat;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Token rows and loss masks from render boundaries, by upstream speculators' rule. For assistant
 * turn {@code j}, {@code prompt_j = render(conv[:j], add_generation_prompt=True)} and {@code full_j
 * = render(conv[:j+1])}. When {@code prompt_j} is a token prefix of {@code full_j}, the turn is the
 * tokens of {@code full_j} after it (its content and end-of-turn tokens). When it is not (the
 * generation prompt holds a scaffold the recorded turn does not, e.g. a pre-filled {@code
 * <think>}), the turn starts after their longest common prefix — but only if that prefix covers
 * {@code hist_j = render(conv[:j])} and {@code hist_j} is a prefix of {@code full_j}; otherwise the
 * history itself renders differently and no boundary exists ({@link UnstableBoundaryException}). An
 * assistant turn that opens the conversation has no prompt and is never trained on.
 *
 * <p>Whether one row can carry every turn depends on the template: if rendering the history is a
 * token prefix of rendering the next turn (Llama-3), one row per conversation holds all assistant
 * turns, each masked as in its own row; upstream writes one row per turn, the last of which has the
 * same tokens. Templates that rewrite history (Qwen3 drops the {@code <think>} content of earlier
 * turns) get one row per assistant turn with only that turn masked, as upstream. {@link
 * #probePrefixProperty} decides once per template, on a fixed conversation that includes {@code
 * <think>} content so that such rewriting shows.
 *
 * <p>Rows are truncated to {@code sequenceLength - 1} tokens (vLLM needs room for the one generated
 * token; upstream keeps {@code sequenceLength}). A turn whose prompt alone fills that is not
 * rendered further: its row has no masked token, as upstream skips it.
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

  /** Rows a conversation yields: 1 in prefix mode, else one per trained assistant turn. */
  public static int rowCount(Conversation c, boolean prefixMode) {
    int turns = c.trainedTurns().length;
    return prefixMode ? Math.min(turns, 1) : turns;
  }

  /**
   * Row {@code ordinal} of {@code c} ({@code 0} in prefix mode, else the index among its trained
   * assistant turns), truncated to {@code sequenceLength - 1} tokens.
   *
   * @throws UnstableBoundaryException when a turn of the row has no render boundary (see class
   *     comment): the row is skipped
   */
  public TokenRow row(Conversation c, int ordinal, boolean prefixMode)
      throws IOException, InterruptedException, UnstableBoundaryException {
    int[] turns = c.trainedTurns();
    if (ordinal < 0 || ordinal >= rowCount(c, prefixMode)) {
      throw new IllegalArgumentException(
          "row " + ordinal + " of a conversation with " + rowCount(c, prefixMode) + " rows");
    }
    long[] ids;
    long[] mask;
    if (prefixMode) {
      int last = turns[turns.length - 1];
      ids = render(c, last + 1, false);
      mask = new long[ids.length];
      for (int j : turns) {
        long[] prompt = render(c, j, true);
        if (prompt.length >= maxTokens) {
          break; // this turn and every later one lie past the cut
        }
        long[] full = j == last ? ids : render(c, j + 1, false);
        int start = boundary(c, j, prompt, full);
        if (!isPrefix(full, ids)) {
          throw new UnstableBoundaryException(
              j,
              "assistant turn "
                  + j
                  + ": rendering the later turns changes it, so one row cannot hold every turn");
        }
        Arrays.fill(mask, start, full.length, 1L);
      }
    } else {
      int j = turns[ordinal];
      long[] prompt = render(c, j, true);
      if (prompt.length >= maxTokens) {
        ids = prompt;
        mask = new long[ids.length];
      } else {
        ids = render(c, j + 1, false);
        mask = new long[ids.length];
        Arrays.fill(mask, boundary(c, j, prompt, ids), ids.length, 1L);
      }
    }
    int n = Math.min(ids.length, maxTokens);
    return new TokenRow(Arrays.copyOf(ids, n), Arrays.copyOf(mask, n));
  }

  /** Where turn {@code j}'s own tokens start in {@code full} (see class comment). */
  private int boundary(Conversation c, int j, long[] prompt, long[] full)
      throws IOException, InterruptedException, UnstableBoundaryException {
    if (isPrefix(prompt, full)) {
      return prompt.length;
    }
    int common = commonPrefix(prompt, full);
    long[] history = render(c, j, false);
    if (!isPrefix(history, full) || common < history.length) {
      throw new UnstableBoundaryException(
          j,
          "assistant turn "
              + j
              + ": the conversation up to this turn renders its history differently from the"
              + " history alone (they part at token "
              + Math.min(common, commonPrefix(history, full))
              + "), so no boundary separates the turn from its prompt");
    }
    return common;
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
