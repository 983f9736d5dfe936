package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Lifecycle of a SpeculatorTraining. */
public enum TrainingPhase {
  @JsonProperty("Pending")
  PENDING,
  @JsonProperty("WaitingForDataset")
  WAITING_FOR_DATASET,
  @JsonProperty("Training")
  TRAINING,
  @JsonProperty("Evaluating")
  EVALUATING,
  @JsonProperty("Succeeded")
  SUCCEEDED,
  @JsonProperty("Failed")
  FAILED
}
