package dev.speculators.engine;

import ai.djl.ndarray.NDManager;
import java.util.Arrays;

/** Plain greedy decoding with a key/value cache: the reference speculation must reproduce. */
public final class GreedyDecoder {
  private final ReferenceModel model;

  public GreedyDecoder(ReferenceModel model) {
    this.model = model;
  }

  /**
   * Generates up to {@code maxNewTokens} tokens after {@code prompt}, stopping after an
   * end-of-sequence token (which is part of the output).
   */
  public Generation generate(long[] prompt, int maxNewTokens) {
    if (prompt.length == 0) {
      throw new IllegalArgumentException("empty prompt");
    }
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("maxNewTokens must be >= 1, got " + maxNewTokens);
    }
    long[] out = new long[maxNewTokens];
    int n = 0;
    int passes = 0;
    try (NDManager m = model.newManager()) {
      TargetSession session = model.newSession(m);
      long[] next = session.extend(prompt, new int[0]).argmax();
      passes++;
      long token = next[next.length - 1];
      while (true) {
        out[n++] = token;
        if (model.config().isEos(token) || n == maxNewTokens) {
          break;
        }
        token = session.extend(new long[] {token}, new int[0]).argmax()[0];
        passes++;
      }
    }
    return new Generation(Arrays.copyOf(out, n), passes);
  }

  /**
   * @param tokens generated ids (an end-of-sequence token last, when one was produced)
   * @param targetPasses forward passes of the target, the prefill included
   */
  public record Generation(long[] tokens, int targetPasses) {}
}
