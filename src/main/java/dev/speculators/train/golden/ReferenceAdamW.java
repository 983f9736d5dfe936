package dev.speculators.train.golden;

import java.util.HashMap;
import java.util.Map;

/**
 * {@code torch.optim.AdamW}'s arithmetic in float64, replayed on given gradients: the yardstick of
 * the update check in {@code verify-golden}.
 *
 * <p>Per parameter p with gradient g at step t: {@code p ← p·(1 − lr·wd)}, {@code m ← β1·m + (1 −
 * β1)·g}, {@code v ← β2·v + (1 − β2)·g²}, {@code p ← p − lr/(1 − β1^t) · m / (√v/√(1 − β2^t) +
 * eps)}. Moments start at zero; every {@link #step} advances t of the parameters it is given.
 * Everything is float64 except the decay factor {@code 1 − lr·wd}, which torch hands to its float32
 * kernel as a float32 scalar: its rounding (up to 3e-8 relative) moves {@code p} by more than the
 * updates' own float32 error, so the replay rounds it the same way.
 *
 * <p>Why a replay instead of comparing updates with upstream's directly: Adam divides every
 * element's first moment by {@code √v + eps}, so at step 1 an element's update is {@code lr·g/(|g|
 * + 1e-8)}. Two correct float32 implementations whose gradients agree to 1e-7 of the tensor's
 * largest gradient still disagree by up to a whole {@code lr} on the elements whose gradient is
 * near 1e-8 — the direct comparison measures the conditioning of Adam, not the optimizer. Given the
 * same gradients, any correct implementation lands within float32 rounding of this replay.
 */
public final class ReferenceAdamW {
  /** Hyperparameters of an AdamW step. */
  public record Settings(double beta1, double beta2, double eps, double weightDecay) {}

  private final Settings settings;
  private final Map<String, double[]> expAvg = new HashMap<>();
  private final Map<String, double[]> expAvgSq = new HashMap<>();
  private final Map<String, Integer> steps = new HashMap<>();

  public ReferenceAdamW(Settings settings) {
    this.settings = settings;
  }

  /**
   * One step of parameter {@code name}.
   *
   * @param param the parameter before the step, {@code [n]}
   * @param grad its gradient as the optimizer sees it (after clipping), {@code [n]}
   * @param lr the learning rate of this step
   * @return the parameter after the step, in float64
   */
  public double[] step(String name, float[] param, float[] grad, double lr) {
    if (param.length != grad.length) {
      throw new IllegalArgumentException(
          name + ": " + param.length + " parameters but " + grad.length + " gradients");
    }
    double[] m = expAvg.computeIfAbsent(name, k -> new double[param.length]);
    double[] v = expAvgSq.computeIfAbsent(name, k -> new double[param.length]);
    int t = steps.merge(name, 1, Integer::sum);
    double b1 = settings.beta1();
    double b2 = settings.beta2();
    double stepSize = lr / (1 - Math.pow(b1, t));
    double correction2 = Math.sqrt(1 - Math.pow(b2, t));
    double decay = (float) (1 - lr * settings.weightDecay());
    double[] out = new double[param.length];
    for (int i = 0; i < param.length; i++) {
      double g = grad[i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      out[i] =
          param[i] * decay - stepSize * m[i] / (Math.sqrt(v[i]) / correction2 + settings.eps());
    }
    return out;
  }

  /**
   * The update error of a float32 step: {@code max_i (|actual_i − reference_i| − ulp_i) / lr},
   * where {@code ulp_i} is one float32 ulp of the larger of the parameter before and after the step
   * (a float32 step rounds twice, after the decay and after the update, each by at most half an
   * ulp) and negative terms count as 0. Both steps started from {@code before}, so this is the
   * difference of the two updates with the float32 rounding of the parameters taken out. A correct
   * implementation gives ~1e-6 of lr (float32 rounding of the moments); a wrong eps, β, bias
   * correction, weight decay or learning rate shows as 1e-3 of lr or more.
   */
  public static double updateError(float[] before, float[] actual, double[] reference, double lr) {
    if (actual.length != reference.length || before.length != reference.length) {
      return Double.POSITIVE_INFINITY;
    }
    double worst = 0;
    for (int i = 0; i < actual.length; i++) {
      double slack = Math.ulp((float) Math.max(Math.abs(before[i]), Math.abs(reference[i])));
      double excess = Math.abs(actual[i] - reference[i]) - slack;
      if (Double.isNaN(excess)) {
        return Double.NaN;
      }
      worst = Math.max(worst, excess / lr);
    }
    return worst;
  }
}
