package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Which tokens feed TTT steps after the first. */
public enum TttInputs {
  /** The draft's own predictions, mapped to target ids through d2t (upstream behaviour). */
  @JsonProperty("draft")
  DRAFT,
  /** The ground-truth next tokens (teacher forcing). */
  @JsonProperty("groundTruth")
  GROUND_TRUTH
}
