package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The published evaluation presets of the upstream speculators project (v0.4.0). */
public enum EvalPreset {
  @JsonProperty("llama-3.1-8b")
  LLAMA_3_1_8B,
  @JsonProperty("llama-3.3-70b")
  LLAMA_3_3_70B,
  @JsonProperty("gpt-oss-20b")
  GPT_OSS_20B,
  @JsonProperty("qwen3-8b")
  QWEN3_8B,
  @JsonProperty("qwen3-32b")
  QWEN3_32B
}
