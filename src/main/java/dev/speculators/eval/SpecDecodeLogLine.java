package dev.speculators.eval;

/**
 * One speculative-decoding metrics line of a vLLM server log: the counts of one logging interval
 * (vLLM resets its interval counters after every line).
 *
 * @param lineNumber 1-based line in the log
 * @param format which of vLLM's log formats the line has
 * @param draftedTokens tokens drafted in the interval
 * @param acceptedTokens tokens accepted, or -1 when the format does not say
 * @param perPositionAcceptance per-position rates as logged (3 decimals), or null when the format
 *     has none (F0, F1)
 */
public record SpecDecodeLogLine(
    int lineNumber,
    Format format,
    long draftedTokens,
    long acceptedTokens,
    double[] perPositionAcceptance) {

  /** vLLM's log line formats over time (see the interfaces notes, "log line formats"). */
  public enum Format {
    /**
     * {@code Speculative metrics: Draft acceptance rate: 1.000, Number of accepted tokens: ..} (V1
     * before Apr 2025).
     */
    F0,
    /**
     * {@code SpecDecoding metrics: Draft acceptance rate: ..%, Accepted: N tokens, Drafted: N
     * tokens}.
     */
    F1,
    /** F1 plus {@code Mean acceptance length} and {@code Per-position acceptance rate}. */
    F2,
    /** F2 plus accepted/drafted throughput. */
    F2B,
    /**
     * {@code Mean acceptance length, throughputs, Accepted, Drafted, Per-position .., Avg Draft
     * acceptance rate} (current).
     */
    F3
  }

  public SpecDecodeLogLine {
    perPositionAcceptance = perPositionAcceptance == null ? null : perPositionAcceptance.clone();
  }

  @Override
  public double[] perPositionAcceptance() {
    return perPositionAcceptance == null ? null : perPositionAcceptance.clone();
  }

  public boolean hasPerPosition() {
    return perPositionAcceptance != null;
  }
}
