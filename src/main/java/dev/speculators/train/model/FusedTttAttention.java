package dev.speculators.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The production attention path: per document one fused causal {@code scaled_dot_product_attention}
 * call for the step-0 keys, with the diagonal keys of the earlier steps merged in closed form
 * inside the same call (see {@code tools/torchscript/ttt_ops.py} for the derivation). Memory is
 * O(T·hd) per head instead of the O(T·(k+1)T) of a dense mask.
 *
 * <p>DJL's Java API has no SDPA, so the kernel is reached through a TorchScript archive shipped in
 * the jar ({@code ttt_ops.pt}); autograd flows through it.
 */
public final class FusedTttAttention implements TttAttention, AutoCloseable {
  static final String RESOURCE = "/dev/speculators/train/ttt_ops.pt";

  private final PtSymbolBlock ops;
  private final NDArray method;

  public FusedTttAttention(NDManager manager) {
    try (InputStream in = FusedTttAttention.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing " + RESOURCE + " in the application jar");
      }
      this.ops = JniUtils.loadModule((PtNDManager) manager, in, true, false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load " + RESOURCE, e);
    }
    this.method = manager.create(0f);
    this.method.setName("module_method:ttt_attention");
  }

  @Override
  public NDArray attend(NDArray q, KvCache cache, PackedDocuments docs) {
    NDManager m = q.getManager();
    NDArray k0 = cache.key(0);
    NDArray v0 = cache.value(0);
    int steps = cache.steps() - 1;
    NDArray kx;
    NDArray vx;
    if (steps == 0) {
      Shape empty = new Shape(0, k0.getShape().get(0), k0.getShape().get(1), k0.getShape().get(2));
      kx = m.zeros(empty);
      vx = m.zeros(empty);
    } else {
      kx = NDArrays.stack(new NDList(cache.keys().subList(1, steps + 1)));
      vx = NDArrays.stack(new NDList(cache.values().subList(1, steps + 1)));
    }
    long[] bounds = docs.boundsRowMajor();
    NDArray docArray = m.create(bounds, new Shape(docs.count(), 2));
    NDArray pad = m.create(docs.paddingStart());
    NDList in = new NDList(q, k0, v0, kx, vx, docArray, pad, method);
    for (NDArray a : List.of(q, k0, v0, kx, vx)) {
      a.setName(null); // PtSymbolBlock interprets names (dots mean dict entries)
    }
    // DJL runs a module called with training=false under libtorch's inference mode, whose
    // tensors cannot meet the autograd-capable tensors DJL created elsewhere; with training=true
    // autograd follows the caller's grad mode (no graph is built outside a gradient collector)
    return ops.forward(new ParameterStore(m, false), in, true).singletonOrThrow();
  }

  @Override
  public void close() {
    ops.close();
  }
}
