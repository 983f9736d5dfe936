package dev.speculators.engine.eval;

import dev.speculators.eval.AcceptanceReport;
import dev.speculators.eval.SpecDecodeCounters;
import java.util.List;

/**
 * An evaluation with the reference engine so far. Pooled acceptance is the report of the summed
 * counters, as for vLLM.
 *
 * @param complete false while datasets are still to come, or after a failure
 * @param error what ended the run, or null
 */
public record ReferenceEvalResults(
    ReferenceEvalSettings settings,
    String speculatorDescription,
    List<ReferenceDatasetResult> datasets,
    boolean complete,
    String error) {

  public ReferenceEvalResults {
    datasets = List.copyOf(datasets);
  }

  public SpecDecodeCounters pooled() {
    SpecDecodeCounters sum = SpecDecodeCounters.ZERO;
    for (ReferenceDatasetResult d : datasets) {
      sum = sum.plus(d.counters());
    }
    return sum;
  }

  /** The untrained draft's pooled counters, or null when it did not run. */
  public SpecDecodeCounters pooledUntrained() {
    if (datasets.isEmpty() || datasets.stream().anyMatch(d -> d.untrained() == null)) {
      return null;
    }
    SpecDecodeCounters sum = SpecDecodeCounters.ZERO;
    for (ReferenceDatasetResult d : datasets) {
      sum = sum.plus(d.untrained());
    }
    return sum;
  }

  public AcceptanceReport pooledAcceptance() {
    return AcceptanceReport.of(pooled());
  }

  public AcceptanceReport pooledUntrainedAcceptance() {
    SpecDecodeCounters u = pooledUntrained();
    return u == null ? null : AcceptanceReport.of(u);
  }

  public long outputTokens() {
    return datasets.stream().mapToLong(ReferenceDatasetResult::outputTokens).sum();
  }

  public int prompts() {
    return datasets.stream().mapToInt(ReferenceDatasetResult::prompts).sum();
  }

  public int targetPasses() {
    return datasets.stream().mapToInt(ReferenceDatasetResult::targetPasses).sum();
  }

  ReferenceEvalResults with(ReferenceDatasetResult d) {
    List<ReferenceDatasetResult> more = new java.util.ArrayList<>(datasets);
    more.add(d);
    return new ReferenceEvalResults(settings, speculatorDescription, more, false, null);
  }

  ReferenceEvalResults finished(String failure) {
    return new ReferenceEvalResults(
        settings, speculatorDescription, datasets, failure == null, failure);
  }
}
