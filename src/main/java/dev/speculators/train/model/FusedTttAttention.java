package dev.speculators.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The production attention path: per document one fused causal {@code scaled_dot_product_attention}
 * call for the step-0 keys, with the diagonal keys of the earlier steps merged in closed form
 * inside the same call (see {@code tools/torchscript/ttt_ops.py} for the derivation). Memory is
 * O(T·hd) per head instead of the O(T·(k+1)T) of a dense mask.
 *
 * <p>DJL's Java API has no SDPA, so the kernel is reached through the {@link OpLibrary}; autograd
 * flows through it. In bf16 the kernel runs on bf16 operands, the merge in float32.
 */
public final class FusedTttAttention implements TttAttention, AutoCloseable {
  private final OpLibrary ops;
  private final boolean ownsOps;
  private final String method;

  /** float32, with its own copy of the op library on {@code manager}'s device. */
  public FusedTttAttention(NDManager manager) {
    this(OpLibrary.load(manager), Precision.FP32, true);
  }

  /** The given precision through a shared op library. */
  public FusedTttAttention(OpLibrary ops, Precision precision) {
    this(ops, precision, false);
  }

  private FusedTttAttention(OpLibrary ops, Precision precision, boolean ownsOps) {
    this.ops = ops;
    this.ownsOps = ownsOps;
    this.method = precision == Precision.BF16 ? "ttt_attention_bf16" : "ttt_attention";
  }

  @Override
  public NDArray attend(NDArray q, KvCache cache, PackedDocuments docs) {
    return Intermediates.freeAfter(
        () -> {
          NDManager m = q.getManager();
          NDArray k0 = cache.key(0);
          NDArray v0 = cache.value(0);
          int steps = cache.steps() - 1;
          NDArray kx;
          NDArray vx;
          if (steps == 0) {
            Shape k0Shape = k0.getShape();
            Shape empty = new Shape(0, k0Shape.get(0), k0Shape.get(1), k0Shape.get(2));
            kx = m.zeros(empty);
            vx = m.zeros(empty);
          } else {
            kx = NDArrays.stack(new NDList(cache.keys().subList(1, steps + 1)));
            vx = NDArrays.stack(new NDList(cache.values().subList(1, steps + 1)));
          }
          // the bounds and the padding start are read as plain integers, never saved by autograd
          NDArray docArray = m.create(docs.boundsRowMajor(), new Shape(docs.count(), 2));
          NDArray pad = m.create(docs.paddingStart());
          return ops.call1(method, q, k0, v0, kx, vx, docArray, pad);
        });
  }

  @Override
  public void close() {
    if (ownsOps) {
      ops.close();
    }
  }
}
