package dev.speculators.train.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Collection;

/** {@code torch.nn.utils.clip_grad_norm_} with the 2-norm over all gradients together. */
public final class GradientClipping {
  private GradientClipping() {}

  /**
   * Scales every gradient by min(1, maxNorm / (total + 1e-6)) where total is the 2-norm of the
   * per-parameter 2-norms.
   *
   * @return the total norm before clipping
   */
  public static double clipGlobalNorm(Collection<NDArray> params, double maxNorm) {
    NDManager base = params.iterator().next().getManager();
    try (NDManager scratch = base.newSubManager()) {
      float[] norms = new float[params.size()];
      int i = 0;
      for (NDArray p : params) {
        NDArray g = p.getGradient();
        g.attach(scratch);
        norms[i++] = g.norm().getFloat();
      }
      // torch stacks the per-tensor norms (float32) and takes their norm
      double total = scratch.create(norms).norm().getFloat();
      float coef = (float) Math.min(1.0, maxNorm / (total + 1e-6));
      for (NDArray p : params) {
        NDArray g = p.getGradient();
        g.attach(scratch);
        g.muli(coef);
      }
      return total;
    }
  }
}
