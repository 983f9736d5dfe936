package dev.speculators.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Causal attention of inference: the cache holds one sequence in chunks, the queries are the last
 * chunk's, and query i of a chunk of t that ends at position L sees every key up to position {@code
 * L - t + i}. This is how vLLM runs the draft over the verified prefix and then one speculative
 * position at a time (eagle3-spec §7.2); the packing of training does not apply.
 */
public final class CausalDecodeAttention implements TttAttention {
  /** Stateless: one instance serves every model. */
  public static final CausalDecodeAttention INSTANCE = new CausalDecodeAttention();

  private CausalDecodeAttention() {}

  @Override
  public NDArray attend(NDArray q, KvCache cache, PackedDocuments docs) {
    cache.compact();
    NDArray keys = cache.key(0); // [nkv, L, hd]
    long t = q.getShape().get(1);
    long length = keys.getShape().get(1);
    NDArray bias = q.getManager().create(causalMask(t, length), new Shape(t, length));
    return scaledDotProduct(q, keys, cache.value(0), bias);
  }

  /**
   * softmax(q·kᵀ/√hd + bias)·v with grouped-query heads, without repeating keys: the query heads of
   * one key head are viewed as one [group·t, hd] block.
   *
   * @param q [nh, t, hd]
   * @param keys [nkv, L, hd]
   * @param values [nkv, L, hd]
   * @param bias [t, L] additive mask (0 or -inf)
   * @return [nh, t, hd]
   */
  public static NDArray scaledDotProduct(NDArray q, NDArray keys, NDArray values, NDArray bias) {
    long nh = q.getShape().get(0);
    long t = q.getShape().get(1);
    long hd = q.getShape().get(2);
    long nkv = keys.getShape().get(0);
    long length = keys.getShape().get(1);
    long group = nh / nkv;
    NDArray grouped = q.reshape(nkv, group * t, hd);
    NDArray scores =
        grouped.matMul(keys.transpose(0, 2, 1)).mul(GraphScalars.of(q, 1.0 / Math.sqrt(hd)));
    NDArray probs =
        scores.reshape(nkv, group, t, length).add(bias).softmax(-1).reshape(nkv, group * t, length);
    return probs.matMul(values).reshape(nh, t, hd);
  }

  /** 0 where query i (of the last t positions of L) may see key j, -inf elsewhere; [t, L]. */
  public static float[] causalMask(long t, long length) {
    float[] mask = new float[Math.toIntExact(t * length)];
    Arrays.fill(mask, Float.NEGATIVE_INFINITY);
    long offset = length - t;
    for (int i = 0; i < t; i++) {
      Arrays.fill(mask, (int) (i * length), (int) (i * length + offset + i + 1), 0f);
    }
    return mask;
  }
}
