package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** GuideLLM load profiles. */
public enum GuideLlmProfile {
  @JsonProperty("throughput")
  THROUGHPUT,
  @JsonProperty("sweep")
  SWEEP,
  @JsonProperty("synchronous")
  SYNCHRONOUS,
  @JsonProperty("concurrent")
  CONCURRENT,
  @JsonProperty("constant")
  CONSTANT,
  @JsonProperty("poisson")
  POISSON
}
