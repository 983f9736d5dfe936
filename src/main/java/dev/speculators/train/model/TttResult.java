package dev.speculators.train.model;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * Outcome of one forward over all training-time-test steps.
 *
 * @param loss scalar, Σ_k decay^k · L_k (differentiable)
 * @param stepLosses decay^k · L_k per step (what upstream logs as {@code loss_k})
 * @param fullAccuracy {@code full_acc_k} per step
 * @param conditionalAccuracy {@code cond_acc_k} per step
 * @param draftTokens [K][T] draft-vocabulary argmax per step
 * @param logits per-step logits [T, Vd] when requested, else empty
 * @param lossTokens number of positions with loss_mask = 1
 */
public record TttResult(
    NDArray loss,
    double[] stepLosses,
    double[] fullAccuracy,
    double[] conditionalAccuracy,
    long[][] draftTokens,
    List<NDArray> logits,
    long lossTokens) {

  public double lossValue() {
    double s = 0;
    for (double l : stepLosses) {
      s += l;
    }
    return s;
  }
}
