package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.speculators.api.common.ResourceStatus;
import dev.speculators.api.common.StorageEstimate;
import java.util.Objects;

/** Observed state of a SpeculatorTraining. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SpeculatorTrainingStatus extends ResourceStatus {

  @JsonPropertyDescription("Pending, WaitingForDataset, Training, Evaluating, Succeeded or Failed.")
  public TrainingPhase phase;

  @JsonPropertyDescription("Epoch and step of the running training.")
  public TrainingProgress progress;

  @JsonPropertyDescription("Losses, accuracies and output paths.")
  public TrainingResults results;

  @JsonPropertyDescription(
      "The storage pre-flight's estimate of the checkpoints and final speculator against the"
          + " output volume (when the operator can read the target model's config.json).")
  public StorageEstimate storage;

  @Override
  public boolean equals(Object o) {
    return o instanceof SpeculatorTrainingStatus s
        && commonEquals(s)
        && phase == s.phase
        && Objects.equals(progress, s.progress)
        && Objects.equals(results, s.results)
        && Objects.equals(storage, s.storage);
  }

  @Override
  public int hashCode() {
    return Objects.hash(commonHashCode(), phase, progress, results, storage);
  }
}
