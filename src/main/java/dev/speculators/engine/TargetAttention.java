package dev.speculators.engine;

import ai.djl.ndarray.NDArray;

/**
 * How the target's attention sees keys: over a cache of the sequence so far (inference) or over the
 * packed documents of one row (training of the tiny target).
 */
public interface TargetAttention {

  /**
   * @param layer decoder layer index
   * @param q [nh, t, hd] rotated queries of the new positions
   * @param k [nkv, t, hd] rotated keys of the new positions
   * @param v [nkv, t, hd] values of the new positions
   * @return [nh, t, hd]
   */
  NDArray attend(int layer, NDArray q, NDArray k, NDArray v);
}
