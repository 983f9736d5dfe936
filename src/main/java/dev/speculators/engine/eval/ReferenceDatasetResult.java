package dev.speculators.engine.eval;

import dev.speculators.eval.AcceptanceReport;
import dev.speculators.eval.EvalDataset;
import dev.speculators.eval.SpecDecodeCounters;

/**
 * What the reference engine measured on one dataset.
 *
 * @param counters vLLM's spec-decode counters of the speculator over all prompts
 * @param targetPasses forward passes of the target with speculation (prefills and verifications)
 * @param untrained the counters of the untrained draft of the same shape, or null
 * @param losslessChecked every output was compared with plain greedy decoding (and was equal)
 */
public record ReferenceDatasetResult(
    EvalDataset dataset,
    int prompts,
    long outputTokens,
    int targetPasses,
    SpecDecodeCounters counters,
    SpecDecodeCounters untrained,
    int untrainedTargetPasses,
    boolean losslessChecked,
    double seconds) {

  public AcceptanceReport acceptance() {
    return AcceptanceReport.of(counters);
  }

  public AcceptanceReport untrainedAcceptance() {
    return untrained == null ? null : AcceptanceReport.of(untrained);
  }
}
