package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Whether a HiddenStateDataset may use the data of an equal one instead of generating. */
public enum DatasetReuse {
  /**
   * Use the volume of a Succeeded HiddenStateDataset in the namespace with the same content hash,
   * if there is one.
   */
  @JsonProperty("IfAvailable")
  IF_AVAILABLE,
  /** Always generate. */
  @JsonProperty("Never")
  NEVER
}
