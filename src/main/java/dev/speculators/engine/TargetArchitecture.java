package dev.speculators.engine;

import java.util.Locale;

/**
 * The decoder-only architectures the reference engine implements. Both are pre-norm transformers
 * with RMSNorm, rotary embeddings, grouped-query attention and a SwiGLU MLP; Qwen3 adds a per-head
 * RMSNorm on queries and keys ({@code q_norm}, {@code k_norm}) before the rotation.
 */
public enum TargetArchitecture {
  LLAMA("llama"),
  QWEN3("qwen3");

  private final String modelType;

  TargetArchitecture(String modelType) {
    this.modelType = modelType;
  }

  /** The Hugging Face {@code model_type}. */
  public String modelType() {
    return modelType;
  }

  /** Whether attention normalises each query and key head before the rotation. */
  public boolean hasQkNorm() {
    return this == QWEN3;
  }

  /**
   * The architecture of a {@code model_type}.
   *
   * @throws IllegalArgumentException naming the supported types
   */
  public static TargetArchitecture of(String modelType) {
    for (TargetArchitecture a : values()) {
      if (a.modelType.equals(modelType.toLowerCase(Locale.ROOT))) {
        return a;
      }
    }
    throw new IllegalArgumentException(
        "model_type '"
            + modelType
            + "' is not supported by the reference engine (supported: llama, qwen3)");
  }
}
