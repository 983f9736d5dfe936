package dev.speculators.api.common;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What happens to a PVC the operator created when its resource is deleted. */
public enum RetentionPolicy {
  /** Keep the PVC and its data (the default: user data is never deleted implicitly). */
  @JsonProperty("Retain")
  RETAIN,
  /** Delete the PVC together with the resource. */
  @JsonProperty("Delete")
  DELETE
}
