package dev.speculators.train.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.speculators.train.model.GraphScalars;
import dev.speculators.train.model.Intermediates;
import dev.speculators.train.model.TttResult;
import java.util.List;

/**
 * Loss and accuracies of training-time test (eagle3-spec §2.5–2.6), accumulated step by step.
 *
 * <p>Step k compares the draft's logits at i with the verifier's targets at i+k (shapes [T−k, Vd]);
 * the alignment ignores document boundaries exactly like upstream.
 */
public final class TttLoss {
  private static final float MASK_EPS = 1e-5f;

  private final int length;
  private final NDArray targetProbs; // p = softmax(targets) [T, Vd]
  private final NDArray targetNegEntropy; // Σ_v xlogy(p, p) [T]
  private final NDArray maskF; // [T] float
  private final long[] mask;
  private final long[] targetArgmax;
  private final boolean[] previousCorrect; // "all steps so far correct" for the chain at i
  private NDArray total;
  private final double[] stepLosses = new double[64];
  private final double[] fullAcc = new double[64];
  private final double[] condAcc = new double[64];
  private int steps;
  private long[] lastDraft;

  /**
   * @param targets verifier logits over the draft vocabulary [T, Vd] (not differentiated)
   * @param lossMask [T] int64 0/1
   */
  public TttLoss(NDArray targets, NDArray lossMask) {
    this.length = (int) targets.getShape().get(0);
    NDArray detached = targets.stopGradient();
    this.targetProbs = detached.softmax(-1);
    // the p·log p half of the KL does not depend on the draft: one number per position instead
    // of a second [T, Vd] array
    this.targetNegEntropy =
        Intermediates.freeAfter(() -> targetProbs.xlogy(targetProbs).sum(new int[] {-1}));
    this.mask = lossMask.toLongArray();
    this.maskF = lossMask.toType(DataType.FLOAT32, true);
    try (NDArray argMax = detached.argMax(-1)) {
      this.targetArgmax = argMax.toLongArray();
    }
    this.previousCorrect = new boolean[length];
    for (int i = 0; i < length; i++) {
      previousCorrect[i] = mask[i] != 0;
    }
  }

  /**
   * Adds step k: L_k = Σ_i m_{i+k} KL(p_{i+k} ‖ q_i) / (Σ m + 1e-5), weighted by {@code weight}
   * (decay^k), and updates {@code full_acc_k} / {@code cond_acc_k}.
   *
   * @param logits the draft's logits of step k [T, Vd]
   */
  public void addStep(int k, NDArray logits, double weight) {
    int n = length - k;
    NDIndex head = new NDIndex(":{}", n);
    NDIndex tail = new NDIndex("{}:", k);
    NDArray stepLoss =
        Intermediates.freeAfter(
            () -> {
              NDArray logQ = logits.get(head).logSoftmax(-1); // [T−k, Vd]
              NDArray crossTerm = targetProbs.get(tail).mul(logQ).sum(new int[] {-1}); // [T−k]
              NDArray kl = targetNegEntropy.get(tail).sub(crossTerm);
              NDArray m = maskF.get(tail); // [T−k]
              return kl.mul(m).sum().div(m.sum().add(MASK_EPS)).mul(GraphScalars.of(kl, weight));
            });
    if (total == null) {
      total = stepLoss;
    } else {
      NDArray previous = total;
      total = Intermediates.freeAfter(() -> previous.add(stepLoss));
    }
    stepLosses[k] = stepLoss.getFloat();

    try (NDArray argMax = logits.argMax(-1)) {
      lastDraft = argMax.toLongArray();
    }
    float condDenominator = 0;
    for (int i = 0; i < n; i++) {
      condDenominator += previousCorrect[i] ? 1 : 0;
    }
    float correctMasked = 0;
    float maskCount = 0;
    for (int i = 0; i < n; i++) {
      previousCorrect[i] = previousCorrect[i] && lastDraft[i] == targetArgmax[i + k];
      if (mask[i + k] != 0) {
        maskCount += 1;
        correctMasked += previousCorrect[i] ? 1 : 0;
      }
    }
    fullAcc[k] = correctMasked / (maskCount + MASK_EPS);
    condAcc[k] = correctMasked / (condDenominator + MASK_EPS);
    steps = Math.max(steps, k + 1);
  }

  /** Draft-vocabulary argmax of the last step added [T]. */
  public long[] lastDraftTokens() {
    return lastDraft;
  }

  public TttResult result(long[][] drafts, List<NDArray> logits) {
    long tokens = 0;
    for (long v : mask) {
      tokens += v;
    }
    return new TttResult(
        total,
        java.util.Arrays.copyOf(stepLosses, steps),
        java.util.Arrays.copyOf(fullAcc, steps),
        java.util.Arrays.copyOf(condAcc, steps),
        drafts,
        logits,
        tokens);
  }
}
