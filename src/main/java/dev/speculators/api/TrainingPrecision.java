package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Compute precision of the trainer. */
public enum TrainingPrecision {
  /** Everything in float32 (TF32 matmuls on CUDA). */
  @JsonProperty("fp32")
  FP32,
  /** bf16 matmuls and attention, float32 master weights, optimizer state, norms and loss. */
  @JsonProperty("bf16")
  BF16
}
