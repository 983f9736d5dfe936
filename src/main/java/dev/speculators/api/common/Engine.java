package dev.speculators.api.common;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Which engine runs a workload. */
public enum Engine {
  /** vLLM on GPUs (production). For training: the GPU trainer image. */
  @JsonProperty("vllm")
  VLLM,
  /**
   * The CPU reference engine of this project, for tiny models: tests, development and the local
   * {@code run} command. Never a replacement for vLLM on real models.
   */
  @JsonProperty("reference")
  REFERENCE
}
