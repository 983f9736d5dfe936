package dev.speculators.api.common;

import com.fasterxml.jackson.annotation.JsonProperty;

/** PersistentVolumeClaim access modes. */
public enum AccessMode {
  @JsonProperty("ReadWriteOnce")
  READ_WRITE_ONCE,
  @JsonProperty("ReadOnlyMany")
  READ_ONLY_MANY,
  @JsonProperty("ReadWriteMany")
  READ_WRITE_MANY,
  @JsonProperty("ReadWriteOncePod")
  READ_WRITE_ONCE_POD
}
