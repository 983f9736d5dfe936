package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Learning-rate schedule after warm-up. */
public enum LrScheduler {
  @JsonProperty("linear")
  LINEAR,
  @JsonProperty("cosine")
  COSINE,
  @JsonProperty("none")
  NONE
}
