package dev.speculators.eval;

/**
 * The numbers of one GuideLLM benchmark (one rate or strategy of a profile), over successful
 * requests. A metric the result file does not carry is NaN.
 *
 * @param strategy {@code throughput}, {@code synchronous}, {@code constant}, ...
 * @param rate the scheduled requests per second of a {@code constant}, {@code poisson} or {@code
 *     async} strategy, else null
 * @param streams the concurrent streams of a {@code concurrent} strategy, else null
 * @param maxConcurrency the strategy's concurrency cap as GuideLLM recorded it, or null
 * @param requestsPerSecond mean request rate
 * @param outputTokensPerSecond mean output token throughput
 * @param ttftMs time to first token, milliseconds
 * @param itlMs inter-token latency (excluding the first token), milliseconds
 * @param tpotMs time per output token (including the first token), milliseconds
 * @param requestLatencyS end-to-end request latency, seconds
 */
public record GuidellmBenchmark(
    String strategy,
    Double rate,
    Integer streams,
    Integer maxConcurrency,
    double requestsPerSecond,
    double outputTokensPerSecond,
    Stat ttftMs,
    Stat itlMs,
    Stat tpotMs,
    Stat requestLatencyS,
    Requests requests) {

  /**
   * The strategy and its number as GuideLLM names it: {@code synchronous}, {@code
   * throughput@unlimited}, {@code throughput@128}, {@code concurrent@4}, {@code constant@2.5}.
   */
  public String label() {
    return switch (strategy) {
      case "throughput" ->
          "throughput@" + (maxConcurrency == null ? "unlimited" : maxConcurrency.toString());
      case "concurrent" -> streams == null ? strategy : "concurrent@" + streams;
      default -> rate == null ? strategy : strategy + "@" + KindSpec.format(round(rate));
    };
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  /** Median and 99th percentile of a latency distribution. */
  public record Stat(double median, double p99) {
    public static final Stat MISSING = new Stat(Double.NaN, Double.NaN);
  }

  /** How many requests ended in which way. */
  public record Requests(long successful, long incomplete, long errored, long total) {
    public static final Requests UNKNOWN = new Requests(-1, -1, -1, -1);
  }
}
