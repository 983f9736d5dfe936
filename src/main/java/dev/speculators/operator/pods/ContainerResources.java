package dev.speculators.operator.pods;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.math.BigDecimal;

/**
 * Default CPU and memory of every container the operator creates, one pure function per kind of
 * container, each derived from what the container holds in memory. A resource's {@code podTemplate}
 * overrides any of them ({@link PodCustomizer}). The formulas are documented in the README; the
 * constants are named here so that they can be adjusted where the workers change.
 */
public final class ContainerResources {
  static final long MIB = 1L << 20;
  static final long GIB = 1L << 30;

  // -- vLLM ---------------------------------------------------------------------------------------

  /**
   * Host memory of each vLLM process besides the weights: the API server with the engine core, and
   * one worker per GPU, each with a Python runtime, a CUDA context and NCCL buffers.
   */
  public static final long VLLM_PROCESS_BYTES = 4 * GIB;

  /** Weights assumed when the model's size is not given: an 8B model in bf16. */
  public static final long DEFAULT_MODEL_BYTES = 16 * GIB;

  /** CPUs of the API server and engine core. */
  public static final int VLLM_BASE_CPUS = 2;

  /** CPUs per GPU worker (scheduling, tokenization, NCCL progress). */
  public static final int VLLM_CPUS_PER_GPU = 2;

  // -- trainer ------------------------------------------------------------------------------------

  /**
   * The trainer's runtime: the JVM (a 1 GiB heap, {@code -Xmx1g} in the trainer image; tensors
   * never live on it) with its code, about 0.5 GiB, libtorch's CPU runtime and the CUDA context's
   * host memory (not measured here; the margin is for it).
   */
  public static final long TRAINER_RUNTIME_BYTES = 6 * GIB;

  /** Bytes per value of a packed row on the host (float32 direct buffers). */
  public static final int TRAINER_ROW_VALUE_BYTES = 4;

  /** Rows the trainer packs ahead of the step ({@code train --prefetch-rows} default). */
  public static final int TRAINER_PREFETCH_ROWS = 2;

  /** Bytes per value of the verifier tensors the trainer reads (bf16 embeddings and lm_head). */
  public static final int TRAINER_VERIFIER_VALUE_BYTES = 2;

  /** The trainer's memory limit over its request: libtorch allocations the estimate misses. */
  public static final int TRAINER_LIMIT_FACTOR = 2;

  /** CPUs of the trainer: the training loop, the row packer and libtorch's host threads. */
  public static final int TRAINER_CPUS = 4;

  /** Hidden size assumed before the dataset reports the verifier's. */
  public static final int DEFAULT_HIDDEN_SIZE = 4096;

  /** Captured layers assumed before the dataset reports them (3 aux + the last). */
  public static final int DEFAULT_CAPTURED_LAYERS = 4;

  /** Vocabulary assumed before the dataset or targetModel.vocabSize gives it (Llama 3). */
  public static final int DEFAULT_VOCAB_SIZE = 128256;

  // -- datagen worker -----------------------------------------------------------------------------

  /** Memory of the datagen worker besides the samples in flight. */
  public static final long DATAGEN_BASE_BYTES = 2 * GIB;

  /** Bytes per token and captured layer of a sample in flight: the largest hidden size, bf16. */
  public static final long DATAGEN_BYTES_PER_TOKEN_LAYER = 8192L * 2;

  /** Share of the container's memory the worker image gives the JVM heap (MaxRAMPercentage). */
  public static final double WORKER_HEAP_SHARE = 0.70;

  private ContainerResources() {}

  /**
   * A vLLM server: {@code cpu = 2 + 2·TP}; {@code memory = W + 4 GiB·(TP + 1)}, where {@code W} is
   * the model's weights on disk (its safetensors, which pass through the page cache while they
   * load; {@code targetModel.size}, else 16 GiB) and each of the TP workers and the engine process
   * holds a runtime; the memory limit adds the in-memory {@code /dev/shm}, which is charged to the
   * container.
   *
   * @param modelBytes the weights' size, or null when unknown
   * @param tensorParallelSize GPUs of the server
   * @param shmSizeLimit the size limit of {@code /dev/shm}
   */
  public static ResourceRequirements vllm(
      Long modelBytes, int tensorParallelSize, Quantity shmSizeLimit) {
    long weights = modelBytes != null && modelBytes > 0 ? modelBytes : DEFAULT_MODEL_BYTES;
    long memory = weights + VLLM_PROCESS_BYTES * (tensorParallelSize + 1L);
    long limit = memory + Quantity.getAmountInBytes(shmSizeLimit).longValue();
    return of(VLLM_BASE_CPUS + VLLM_CPUS_PER_GPU * tensorParallelSize, memory, limit);
  }

  /**
   * What the trainer's host memory holds.
   *
   * @param hiddenSize the verifier's hidden size {@code H}
   * @param capturedLayers layers captured per token {@code L} (aux layers and the last)
   * @param vocabSize the verifier's vocabulary {@code V}
   * @param rowTokens tokens per packed row {@code T} ({@code training.maxSequenceLength})
   */
  public record TrainerShape(int hiddenSize, int capturedLayers, int vocabSize, int rowTokens) {}

  /**
   * The trainer: {@code memory = 6 GiB + (P + 1)·T·H·L·4 B + 2·V·H·2 B}: the runtime, the {@code P
   * + 1} packed-row buffers ({@code P} = 2 rows prefetched, float32) and, while the draft is set
   * up, the float32 host copy of the verifier's embedding ({@code V·H·4 B}; the mapped bf16 file
   * pages next to it are reclaimable); the limit is twice that; {@code cpu = 4}.
   */
  public static ResourceRequirements trainer(TrainerShape s) {
    long row = (long) s.rowTokens() * s.hiddenSize() * s.capturedLayers() * TRAINER_ROW_VALUE_BYTES;
    long verifier = 2L * s.vocabSize() * s.hiddenSize() * TRAINER_VERIFIER_VALUE_BYTES;
    long memory = TRAINER_RUNTIME_BYTES + (TRAINER_PREFETCH_ROWS + 1L) * row + verifier;
    return of(TRAINER_CPUS, memory, memory * TRAINER_LIMIT_FACTOR);
  }

  /**
   * The datagen worker: {@code cpu = 1}, {@code memory = 2 GiB}; its limit bounds what it can hold,
   * {@code (2 GiB + 2·C·S·L·16 KiB) / 0.7}: up to twice {@code concurrency} samples in flight of
   * {@code sequenceLength} tokens × captured layers × 16 KiB (hidden size 8192 in bf16) on a heap
   * that is 70% of the container.
   */
  public static ResourceRequirements datagen(int concurrency, int sequenceLength, int layers) {
    long inFlight = 2L * concurrency * sequenceLength * layers * DATAGEN_BYTES_PER_TOKEN_LAYER;
    long limit = (long) Math.ceil((DATAGEN_BASE_BYTES + inFlight) / WORKER_HEAP_SHARE);
    return of(1, DATAGEN_BASE_BYTES, limit);
  }

  /**
   * The {@code preflight} init container of a data-generation pod: the worker planning the rows and
   * rendering a few, with no sample in flight: 1 CPU, {@code 2 GiB}, limited to {@code 2 GiB /
   * 0.7}.
   */
  public static ResourceRequirements preflight() {
    return of(1, DATAGEN_BASE_BYTES, (long) Math.ceil(DATAGEN_BASE_BYTES / WORKER_HEAP_SHARE));
  }

  /** The eval container (GuideLLM and the collector): 2 CPUs, 4 GiB, limited to 8 GiB. */
  public static ResourceRequirements eval() {
    return of(2, 4 * GIB, 8 * GIB);
  }

  /** The {@code layer-ids} init container, which reads one config.json: 250m, 512 MiB, 1 GiB. */
  public static ResourceRequirements layerIds() {
    return of(new Quantity("250m"), 512 * MIB, GIB);
  }

  /**
   * A worker of the CPU engine {@code reference} (datagen, train or eval), meant for small models
   * (the tiny example target, a Kind cluster on a laptop): 500m CPU and 1 GiB requested, no limit,
   * since the model it computes with on the CPU is not known.
   */
  public static ResourceRequirements reference() {
    return new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity("500m"))
        .addToRequests("memory", bytes(GIB))
        .build();
  }

  private static ResourceRequirements of(int cpus, long memory, long memoryLimit) {
    return of(new Quantity(Integer.toString(cpus)), memory, memoryLimit);
  }

  private static ResourceRequirements of(Quantity cpu, long memory, long memoryLimit) {
    return new ResourceRequirementsBuilder()
        .addToRequests("cpu", cpu)
        .addToRequests("memory", bytes(memory))
        .addToLimits("memory", bytes(memoryLimit))
        .build();
  }

  /** A byte count as a Quantity in whole MiB (rounded up), as people read them. */
  static Quantity bytes(long bytes) {
    long mib = (bytes + MIB - 1) / MIB;
    return mib % 1024 == 0 ? new Quantity(mib / 1024 + "Gi") : new Quantity(mib + "Mi");
  }

  /** The size in bytes of a Quantity (e.g. {@code 140Gi}), or null. */
  public static Long toBytes(Quantity q) {
    if (q == null) {
      return null;
    }
    BigDecimal b = Quantity.getAmountInBytes(q);
    return b.longValue();
  }
}
