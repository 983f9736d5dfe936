package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Lifecycle of a SpeculatorEval. */
public enum EvalPhase {
  @JsonProperty("Pending")
  PENDING,
  @JsonProperty("Running")
  RUNNING,
  @JsonProperty("Succeeded")
  SUCCEEDED,
  @JsonProperty("Failed")
  FAILED
}
