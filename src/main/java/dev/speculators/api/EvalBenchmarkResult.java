package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** The numbers of one GuideLLM benchmark of a multi-benchmark run (sweep, several rates). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EvalBenchmarkResult {

  @JsonPropertyDescription("Dataset the benchmark ran on.")
  public String dataset;

  @JsonPropertyDescription(
      "Strategy and its number as GuideLLM names it: synchronous, throughput@512, concurrent@4,"
          + " constant@2.5.")
  public String strategy;

  @JsonPropertyDescription("Output tokens per second with speculation.")
  public Double outputTokensPerSecond;

  @JsonPropertyDescription("Successful requests per second.")
  public Double requestsPerSecond;

  @JsonPropertyDescription("Median time to first token in milliseconds.")
  public Double ttftMsMedian;

  @JsonPropertyDescription("Median inter-token latency in milliseconds.")
  public Double itlMsMedian;

  @JsonPropertyDescription("Requests that failed.")
  public Long erroredRequests;

  @JsonPropertyDescription(
      "Output tokens per second of the same strategy in the baseline run without speculation.")
  public Double baselineOutputTokensPerSecond;

  @Override
  public boolean equals(Object o) {
    return o instanceof EvalBenchmarkResult r
        && Objects.equals(dataset, r.dataset)
        && Objects.equals(strategy, r.strategy)
        && Objects.equals(outputTokensPerSecond, r.outputTokensPerSecond)
        && Objects.equals(requestsPerSecond, r.requestsPerSecond)
        && Objects.equals(ttftMsMedian, r.ttftMsMedian)
        && Objects.equals(itlMsMedian, r.itlMsMedian)
        && Objects.equals(erroredRequests, r.erroredRequests)
        && Objects.equals(baselineOutputTokensPerSecond, r.baselineOutputTokensPerSecond);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        dataset,
        strategy,
        outputTokensPerSecond,
        requestsPerSecond,
        ttftMsMedian,
        itlMsMedian,
        erroredRequests,
        baselineOutputTokensPerSecond);
  }
}
