package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Lifecycle of a HiddenStateDataset. */
public enum DatasetPhase {
  @JsonProperty("Pending")
  PENDING,
  @JsonProperty("Generating")
  GENERATING,
  @JsonProperty("Succeeded")
  SUCCEEDED,
  @JsonProperty("Failed")
  FAILED
}
