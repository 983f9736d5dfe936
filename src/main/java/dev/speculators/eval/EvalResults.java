package dev.speculators.eval;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The results of an evaluation run so far: per dataset, and pooled over datasets. Pooled acceptance
 * is the report of the summed counter deltas. Pooled throughput and latency are means over datasets
 * of each dataset's headline benchmark (every dataset weighs the same), and the pooled speedup is
 * the ratio of the pooled throughputs.
 *
 * @param vllmVersion from the server's {@code /version}, or null
 * @param guidellmVersion as GuideLLM recorded it in its result, or null
 * @param complete false while datasets are still to come, or after a failure
 * @param error the failure that ended the run, or null
 */
public record EvalResults(
    String endpoint,
    String baselineEndpoint,
    String vllmVersion,
    List<String> servedModels,
    String guidellmExecutable,
    GuidellmCli guidellmCli,
    String guidellmVersion,
    BenchmarkSettings settings,
    List<DatasetResult> datasets,
    boolean complete,
    String error) {

  public EvalResults {
    servedModels = List.copyOf(servedModels);
    datasets = List.copyOf(datasets);
  }

  public SpecDecodeCounters pooledDelta() {
    SpecDecodeCounters sum = SpecDecodeCounters.ZERO;
    for (DatasetResult d : datasets) {
      sum = sum.plus(d.delta());
    }
    return sum;
  }

  public AcceptanceReport pooledAcceptance() {
    return AcceptanceReport.of(pooledDelta());
  }

  public double pooledOutputTokensPerSecond() {
    return meanOverDatasets(d -> d.benchmark().headline().outputTokensPerSecond());
  }

  /** NaN unless every dataset has a baseline. */
  public double pooledBaselineOutputTokensPerSecond() {
    if (datasets.isEmpty() || datasets.stream().anyMatch(d -> d.baseline() == null)) {
      return Double.NaN;
    }
    return meanOverDatasets(d -> d.baseline().headline().outputTokensPerSecond());
  }

  public double pooledSpeedup() {
    return pooledOutputTokensPerSecond() / pooledBaselineOutputTokensPerSecond();
  }

  public double pooledTtftMsMedian() {
    return meanOverDatasets(d -> d.benchmark().headline().ttftMs().median());
  }

  public double pooledItlMsMedian() {
    return meanOverDatasets(d -> d.benchmark().headline().itlMs().median());
  }

  public EvalResults withDataset(DatasetResult result, String newGuidellmVersion) {
    List<DatasetResult> more = new java.util.ArrayList<>(datasets);
    more.add(result);
    return new EvalResults(
        endpoint,
        baselineEndpoint,
        vllmVersion,
        servedModels,
        guidellmExecutable,
        guidellmCli,
        guidellmVersion != null ? guidellmVersion : newGuidellmVersion,
        settings,
        more,
        false,
        null);
  }

  public EvalResults finished(String failure) {
    return new EvalResults(
        endpoint,
        baselineEndpoint,
        vllmVersion,
        servedModels,
        guidellmExecutable,
        guidellmCli,
        guidellmVersion,
        settings,
        datasets,
        failure == null,
        failure);
  }

  private double meanOverDatasets(ToDoubleFunction<DatasetResult> f) {
    return datasets.stream().mapToDouble(f).average().orElse(Double.NaN);
  }
}
