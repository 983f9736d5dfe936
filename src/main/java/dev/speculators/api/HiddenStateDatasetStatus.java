package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.speculators.api.common.ResourceStatus;
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

  @Override
  public boolean equals(Object o) {
    return o instanceof HiddenStateDatasetStatus s
        && commonEquals(s)
        && phase == s.phase
        && Objects.equals(progress, s.progress)
        && Objects.equals(results, s.results);
  }

  @Override
  public int hashCode() {
    return Objects.hash(commonHashCode(), phase, progress, results);
  }
}
