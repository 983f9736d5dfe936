package dev.speculators.train.golden;

/**
 * Acceptance thresholds of {@code verify-golden}. float32 re-implementations land around 1e-6 (the
 * fixtures' own independent re-implementation saw at most 3.8e-7 on gradients and 2.7e-6 on
 * parameters); a real bug shows up as 1e-2 or worse.
 */
public final class Tolerances {
  /** max|a−b| / max|b| of the loss and of every logits tensor. */
  public static final double LOGITS_REL = 1e-4;

  /** |a−b| of loss_k, full_acc_k, cond_acc_k. */
  public static final double METRICS_ABS = 1e-4;

  /** max|a−b| / max|b| per gradient tensor (norm-wise, not element-wise: many are ~0). */
  public static final double GRAD_REL = 1e-4;

  /** max|a−b| / max|b| per parameter tensor after each optimizer step. */
  public static final double PARAM_REL = 1e-4;

  /**
   * {@link ReferenceAdamW#updateError}: per element, the distance from upstream's AdamW replayed in
   * float64 on the same gradients, beyond one float32 ulp of the parameter, over lr. A correct
   * float32 AdamW gives at most 2.7e-7 on the shipped cases; a learning rate off by 0.1% gives
   * 1e-3.
   */
  public static final double UPDATE_OVER_LR = 1e-5;

  private Tolerances() {}
}
