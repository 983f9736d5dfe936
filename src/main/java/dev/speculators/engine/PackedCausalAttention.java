package dev.speculators.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.speculators.train.model.CausalDecodeAttention;
import dev.speculators.train.model.PackedDocuments;
import java.util.Arrays;

/**
 * Attention over one packed row without a cache: causal within each document, documents never see
 * each other, padding positions see only themselves (so their softmax stays finite).
 */
public final class PackedCausalAttention implements TargetAttention {
  private final PackedDocuments docs;
  private NDArray bias;

  public PackedCausalAttention(PackedDocuments docs) {
    this.docs = docs;
  }

  @Override
  public NDArray attend(int layer, NDArray q, NDArray k, NDArray v) {
    if (bias == null) {
      int t = docs.length();
      bias = q.getManager().create(mask(docs), new Shape(t, t));
    }
    return CausalDecodeAttention.scaledDotProduct(q, k, v, bias);
  }

  /** 0 where position i may see position j, -inf elsewhere; [T, T] row-major. */
  static float[] mask(PackedDocuments docs) {
    int t = docs.length();
    int[] doc = docs.documentIds();
    float[] mask = new float[t * t];
    Arrays.fill(mask, Float.NEGATIVE_INFINITY);
    for (int i = 0; i < t; i++) {
      for (int j = 0; j <= i; j++) {
        if (j == i || (doc[i] != -1 && doc[i] == doc[j])) {
          mask[i * t + j] = 0f;
        }
      }
    }
    return mask;
  }
}
