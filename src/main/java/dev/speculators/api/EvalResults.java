package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import java.util.Objects;

/** Acceptance and throughput of a speculator, over all benchmark datasets. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EvalResults {

  @JsonPropertyDescription("Mean acceptance length: 1 + accepted tokens / drafts.")
  public Double meanAcceptanceLength;

  @JsonPropertyDescription(
      "Acceptance rate per draft position, weighted by drafted tokens: accepted at position j /"
          + " drafts.")
  public List<Double> perPositionAcceptance;

  @JsonPropertyDescription("Conditional acceptance per position: P(accept j | accepted j-1).")
  public List<Double> conditionalAcceptance;

  @JsonPropertyDescription(
      "Engine reference: mean acceptance length of an untrained draft of the same shape on the"
          + " same prompts, the floor a trained draft must beat.")
  public Double untrainedMeanAcceptanceLength;

  @JsonPropertyDescription("Number of drafts (speculation steps).")
  public Long drafts;

  @JsonPropertyDescription("Tokens drafted.")
  public Long draftTokens;

  @JsonPropertyDescription("Drafted tokens the target accepted.")
  public Long acceptedTokens;

  @JsonPropertyDescription("Output tokens per second with speculation.")
  public Double outputTokensPerSecond;

  @JsonPropertyDescription("Output tokens per second without speculation (baseline run).")
  public Double baselineOutputTokensPerSecond;

  @JsonPropertyDescription("outputTokensPerSecond / baselineOutputTokensPerSecond.")
  public Double speedup;

  @JsonPropertyDescription("Median time to first token in milliseconds.")
  public Double ttftMsMedian;

  @JsonPropertyDescription("Median inter-token latency in milliseconds.")
  public Double itlMsMedian;

  @JsonPropertyDescription(
      "Multi-benchmark runs (sweep, several rates): every GuideLLM benchmark, dataset by dataset,"
          + " as many as fit the pod's termination message; results.json has all of them.")
  public List<EvalBenchmarkResult> benchmarks;

  @JsonPropertyDescription("Benchmarks left out of benchmarks for size (see results.json).")
  public Integer benchmarksOmitted;

  @JsonPropertyDescription("PersistentVolumeClaim holding the results.")
  public String claimName;

  @JsonPropertyDescription("results.json (per dataset) inside the claim.")
  public String resultsPath;

  @JsonPropertyDescription(
      "Set when a worker's summary (its termination message) cannot be read, and why: its pod was"
          + " deleted, or the message is empty or truncated. The numbers that come from the summary"
          + " are then unset; paths on the volume are still given.")
  public String missingSummary;

  @Override
  public boolean equals(Object o) {
    return o instanceof EvalResults r
        && Objects.equals(meanAcceptanceLength, r.meanAcceptanceLength)
        && Objects.equals(perPositionAcceptance, r.perPositionAcceptance)
        && Objects.equals(conditionalAcceptance, r.conditionalAcceptance)
        && Objects.equals(untrainedMeanAcceptanceLength, r.untrainedMeanAcceptanceLength)
        && Objects.equals(drafts, r.drafts)
        && Objects.equals(draftTokens, r.draftTokens)
        && Objects.equals(acceptedTokens, r.acceptedTokens)
        && Objects.equals(outputTokensPerSecond, r.outputTokensPerSecond)
        && Objects.equals(baselineOutputTokensPerSecond, r.baselineOutputTokensPerSecond)
        && Objects.equals(speedup, r.speedup)
        && Objects.equals(ttftMsMedian, r.ttftMsMedian)
        && Objects.equals(itlMsMedian, r.itlMsMedian)
        && Objects.equals(benchmarks, r.benchmarks)
        && Objects.equals(benchmarksOmitted, r.benchmarksOmitted)
        && Objects.equals(claimName, r.claimName)
        && Objects.equals(resultsPath, r.resultsPath)
        && Objects.equals(missingSummary, r.missingSummary);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        meanAcceptanceLength,
        perPositionAcceptance,
        conditionalAcceptance,
        untrainedMeanAcceptanceLength,
        drafts,
        draftTokens,
        acceptedTokens,
        outputTokensPerSecond,
        baselineOutputTokensPerSecond,
        speedup,
        ttftMsMedian,
        itlMsMedian,
        benchmarks,
        benchmarksOmitted,
        claimName,
        resultsPath,
        missingSummary);
  }
}
