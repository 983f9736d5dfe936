package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.speculators.api.common.ResourceStatus;
import dev.speculators.api.common.StorageEstimate;
import java.util.Objects;

/** Observed state of a HiddenStateDataset. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HiddenStateDatasetStatus extends ResourceStatus {

  @JsonPropertyDescription("Pending, Generating, Succeeded or Failed.")
  public DatasetPhase phase;

  @JsonPropertyDescription("Shards and samples done so far.")
  public DatasetProgress progress;

  @JsonPropertyDescription(
      "Where the dataset is and what it holds (set when generation succeeded).")
  public DatasetResults results;

  @JsonPropertyDescription(
      "The HiddenStateDataset whose data this one uses instead of generating (same content hash);"
          + " status.results point at its volume.")
  public String reusedFrom;

  @JsonPropertyDescription("The storage pre-flight's estimate against the volume.")
  public StorageEstimate storage;

  @Override
  public boolean equals(Object o) {
    return o instanceof HiddenStateDatasetStatus s
        && commonEquals(s)
        && phase == s.phase
        && Objects.equals(progress, s.progress)
        && Objects.equals(results, s.results)
        && Objects.equals(reusedFrom, s.reusedFrom)
        && Objects.equals(storage, s.storage);
  }

  @Override
  public int hashCode() {
    return Objects.hash(commonHashCode(), phase, progress, results, reusedFrom, storage);
  }
}
