package dev.speculators.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Causal attention of inference: the cache holds one sequence in chunks, the queries are the last
 * chunk's, and query i of a chunk of t that ends at position L sees every key up to position
 * {@code L - t + i}. This is how vLLM runs the draft over the verified prefix and then one
 * speculative position at a time (eagle3-spec §7.2); the packing of training does not apply.
 */
public final class CausalDecodeAttention implements TttAttention {
  /** Stateless: one instance serves every model. */
  public static final CausalDecodeAttention INSTANCE = new CausalDecodeAttention();

  private CausalDecodeAttention() {}

  @Override
  public NDArray attend(NDArray q, KvCache cache, PackedDocuments docs) {
    long nh = q.getShape().get(0);
    long t = q.getShape().get(1);
    long hd = q.getShape().get(2);
    NDArray keys = join(cache.keys()); // [nkv, L, hd]
    NDArray values = join(cache.values());
    long nkv = keys.getShape().get(0);
    long length = keys.getShape().get(1);
    int group = (int) (nh / nkv);
    NDArray grouped = q.reshape(nkv, group * t, hd);
    NDArray scores =
        grouped.matMul(keys.transpose(0, 2, 1)).mul(GraphScalars.of(q, 1.0 / Math.sqrt(hd)));
    NDArray bias = q.getManager().create(causalMask(t, length), new Shape(t, length));
    NDArray probs =
        scores.reshape(nkv, group, t, length).add(bias).softmax(-1).reshape(nkv, group * t, length);
    return probs.matMul(values).reshape(nh, t, hd);
  }

  private static NDArray join(java.util.List<NDArray> chunks) {
    return chunks.size() == 1 ? chunks.get(0) : NDArrays.concat(new NDList(chunks), 1);
  }

  /** 0 where query i (of the last t positions of L) may see key j, -inf elsewhere; [t, L]. */
  static float[] causalMask(long t, long length) {
    float[] mask = new float[Math.toIntExact(t * length)];
    Arrays.fill(mask, Float.NEGATIVE_INFINITY);
    long offset = length - t;
    for (int i = 0; i < t; i++) {
      Arrays.fill(mask, (int) (i * length), (int) (i * length + offset + i + 1), 0f);
    }
    return mask;
  }
}
