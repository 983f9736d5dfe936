package dev.speculators.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The TorchScript op library shipped in the jar ({@code ttt_ops.pt}, built by {@code
 * tools/torchscript/ttt_ops.py}): the operations DJL's Java API lacks — the fused attention kernel,
 * and bf16 compute, which DJL cannot hold as an array. Its methods take and return float32 and
 * int64 arrays only, and autograd flows through them.
 */
public final class OpLibrary implements AutoCloseable {
  static final String RESOURCE = "/dev/speculators/train/ttt_ops.pt";

  private final NDManager manager;
  private final PtSymbolBlock module;
  private final Map<String, NDArray> selectors = new ConcurrentHashMap<>();

  private OpLibrary(NDManager manager, PtSymbolBlock module) {
    this.manager = manager;
    this.module = module;
  }

  /** Loads the library onto {@code manager}'s device; it lives until closed or the manager is. */
  public static OpLibrary load(NDManager manager) {
    try (InputStream in = OpLibrary.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing " + RESOURCE + " in the application jar");
      }
      return new OpLibrary(manager, JniUtils.loadModule((PtNDManager) manager, in, true, false));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load " + RESOURCE, e);
    }
  }

  /**
   * Runs {@code method}; the outputs belong to the first input's manager, so pass the activation
   * first.
   */
  public NDList call(String method, NDArray... inputs) {
    NDList in = new NDList(inputs.length + 1);
    for (NDArray a : inputs) {
      a.setName(null); // PtSymbolBlock interprets names (dots mean dict entries)
      in.add(a);
    }
    in.add(selectors.computeIfAbsent(method, this::selector));
    // DJL runs a module called with training=false under libtorch's inference mode, whose
    // tensors cannot meet the autograd-capable tensors DJL created elsewhere; with training=true
    // autograd follows the caller's grad mode (no graph is built outside a gradient collector)
    return module.forward(new ParameterStore(inputs[0].getManager(), false), in, true);
  }

  /** {@link #call} of a method with one output. */
  public NDArray call1(String method, NDArray... inputs) {
    return call(method, inputs).singletonOrThrow();
  }

  private NDArray selector(String method) {
    NDArray s = manager.create(0f);
    s.setName("module_method:" + method);
    Intermediates.keep(s);
    return s;
  }

  @Override
  public void close() {
    module.close();
  }
}
