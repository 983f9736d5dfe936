package dev.speculators.train.model;

import ai.djl.ndarray.NDArray;

/**
 * Scalars for ops inside an autograd graph.
 *
 * <p>DJL's {@code mul(Number)}, {@code div(Number)} and {@code pow(Number)} wrap the number in a
 * 0-dim array and close it as soon as the forward op returns. libtorch's autograd keeps that array
 * (without owning its memory) for the backward pass of {@code mul}/{@code div}/{@code pow}, so the
 * backward then reads freed memory and gradients come out as garbage now and then. Scalars made
 * here belong to the activation's manager and live until that manager (the training step) is
 * closed, after the backward.
 */
public final class GraphScalars {
  private GraphScalars() {}

  /** A 0-dim float32 array in {@code like}'s manager. */
  public static NDArray of(NDArray like, double value) {
    NDArray scalar = like.getManager().create((float) value);
    Intermediates.keep(scalar); // read by the backward: never freed with the computation
    return scalar;
  }
}
