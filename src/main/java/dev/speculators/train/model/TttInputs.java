package dev.speculators.train.model;

/** Which tokens feed training-time-test step k+1 (eagle3-spec §2.3). */
public enum TttInputs {
  /** The draft's own argmax of step k mapped to verifier ids through d2t (upstream v0.3/v0.4). */
  DRAFT,
  /** Ground truth shifted left by k+1 and right-padded with 0 (teacher forcing, upstream v0.7). */
  GROUND_TRUTH
}
