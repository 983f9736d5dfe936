package dev.speculators.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The reference attention path: scores against every key of every step, an explicit [T, (k+1)T]
 * mask, softmax. Exactly upstream's dense equivalent of its block mask; kept for tests and as the
 * baseline of the {@code bench} command. Memory grows with T²·(k+1).
 */
public final class DenseMaskTttAttention implements TttAttention {

  @Override
  public NDArray attend(NDArray q, KvCache cache, PackedDocuments docs) {
    return Intermediates.freeAfter(() -> dense(q, cache, docs));
  }

  private static NDArray dense(NDArray q, KvCache cache, PackedDocuments docs) {
    NDManager m = q.getManager();
    long nh = q.getShape().get(0);
    long t = q.getShape().get(1);
    long hd = q.getShape().get(2);
    long nkv = cache.key(0).getShape().get(0);
    int group = (int) (nh / nkv);
    int steps = cache.steps();
    // grouped-query attention without copying keys: view the query heads as [nkv, group·T, hd]
    NDArray keys = concat(cache.keys()); // [nkv, (k+1)T, hd]
    NDArray values = concat(cache.values());
    NDArray grouped = q.reshape(nkv, group * t, hd);
    NDArray scores =
        grouped
            .matMul(keys.transpose(0, 2, 1))
            .mul(GraphScalars.of(q, 1.0 / Math.sqrt(hd))); // [nkv, g·T, S]
    NDArray bias = m.create(additiveMask(docs, steps), new Shape(t, steps * t));
    NDArray probs =
        scores
            .reshape(nkv, group, t, (long) steps * t)
            .add(bias)
            .softmax(-1)
            .reshape(nkv, group * t, (long) steps * t);
    return probs.matMul(values).reshape(nh, t, hd);
  }

  // NDArrays.concat returns a detached duplicate for a single array, which would cut the graph
  private static NDArray concat(java.util.List<NDArray> parts) {
    return parts.size() == 1 ? parts.get(0) : NDArrays.concat(new NDList(parts), 1);
  }

  /** 0 where query i may see key j, -inf elsewhere; [T, steps·T] row-major. */
  static float[] additiveMask(PackedDocuments docs, int steps) {
    int t = docs.length();
    int[] doc = docs.documentIds();
    float[] mask = new float[t * steps * t];
    java.util.Arrays.fill(mask, Float.NEGATIVE_INFINITY);
    for (int i = 0; i < t; i++) {
      int row = i * steps * t;
      for (int j = 0; j <= i; j++) {
        if (j == i || (doc[i] != -1 && doc[i] == doc[j])) {
          mask[row + j] = 0f;
        }
      }
      for (int s = 1; s < steps; s++) {
        mask[row + s * t + i] = 0f;
      }
    }
    return mask;
  }
}
