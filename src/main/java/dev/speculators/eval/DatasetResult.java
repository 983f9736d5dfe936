package dev.speculators.eval;

/**
 * Everything measured for one dataset.
 *
 * @param before the spec-decode counters scraped just before GuideLLM started
 * @param after the counters scraped just after it ended
 * @param benchmark GuideLLM's result against the speculative server
 * @param baseline GuideLLM's result for the same dataset without speculation, or null
 * @param baselineSource where the baseline came from (endpoint URL or file), or null
 */
public record DatasetResult(
    EvalDataset dataset,
    SpecDecodeCounters before,
    SpecDecodeCounters after,
    GuidellmResult benchmark,
    GuidellmResult baseline,
    String baselineSource) {

  public SpecDecodeCounters delta() {
    return after.minus(before);
  }

  public AcceptanceReport acceptance() {
    return AcceptanceReport.of(delta());
  }

  /** Output token throughput with speculation over without, or NaN without a baseline. */
  public double speedup() {
    if (baseline == null) {
      return Double.NaN;
    }
    return benchmark.headline().outputTokensPerSecond()
        / baseline.headline().outputTokensPerSecond();
  }
}
