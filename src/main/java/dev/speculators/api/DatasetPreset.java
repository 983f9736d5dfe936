package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Chat datasets the data generator knows by name. */
public enum DatasetPreset {
  /** ShareGPT conversations. */
  @JsonProperty("sharegpt")
  SHAREGPT,
  /** UltraChat 200k conversations. */
  @JsonProperty("ultrachat")
  ULTRACHAT
}
