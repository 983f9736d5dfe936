package dev.speculators.eval;

/**
 * The numbers of one GuideLLM benchmark (one rate or strategy of a profile), over successful
 * requests. A metric the result file does not carry is NaN.
 *
 * @param strategy {@code throughput}, {@code synchronous}, {@code constant}, ...
 * @param requestsPerSecond mean request rate
 * @param outputTokensPerSecond mean output token throughput
 * @param ttftMs time to first token, milliseconds
 * @param itlMs inter-token latency (excluding the first token), milliseconds
 * @param tpotMs time per output token (including the first token), milliseconds
 * @param requestLatencyS end-to-end request latency, seconds
 */
public record GuidellmBenchmark(
    String strategy,
    double requestsPerSecond,
    double outputTokensPerSecond,
    Stat ttftMs,
    Stat itlMs,
    Stat tpotMs,
    Stat requestLatencyS,
    Requests requests) {

  /** Median and 99th percentile of a latency distribution. */
  public record Stat(double median, double p99) {
    public static final Stat MISSING = new Stat(Double.NaN, Double.NaN);
  }

  /** How many requests ended in which way. */
  public record Requests(long successful, long incomplete, long errored, long total) {
    public static final Requests UNKNOWN = new Requests(-1, -1, -1, -1);
  }
}
