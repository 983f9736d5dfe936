package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Speculative decoding methods the evaluation can configure in vLLM. */
public enum SpeculativeMethod {
  /** EAGLE-3: the draft reads auxiliary hidden states of the target. */
  @JsonProperty("eagle3")
  EAGLE3
}
