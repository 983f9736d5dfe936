package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.speculators.api.common.ResourceStatus;
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

  @Override
  public boolean equals(Object o) {
    return o instanceof SpeculatorTrainingStatus s
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
