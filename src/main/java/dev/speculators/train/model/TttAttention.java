package dev.speculators.train.model;

import ai.djl.ndarray.NDArray;

/**
 * Attention of one training-time-test step (eagle3-spec §2.4): query i of step k sees the step-0
 * keys j ≤ i of its own document (padding sees none) and its own keys of steps 1..k.
 */
public interface TttAttention {

  /**
   * @param q [nh, T, hd] rotated queries of the current step (the last one in {@code cache})
   * @param cache keys/values of steps 0..k, each [nkv, T, hd]
   * @param docs the packing of the row
   * @return [nh, T, hd]
   */
  NDArray attend(NDArray q, KvCache cache, PackedDocuments docs);
}
