package dev.speculators.operator.training;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.api.SpeculatorEval;
import dev.speculators.api.SpeculatorTraining;
import dev.speculators.operator.preflight.ModelFacts;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;
import java.util.Optional;

/**
 * What the training controller observed before deciding.
 *
 * @param training the resource
 * @param dataset the referenced or owned HiddenStateDataset (ref, template), if it exists
 * @param job the trainer Job, if it exists
 * @param claim the created output PVC, if it exists
 * @param pods the trainer pods
 * @param evaluation the owned SpeculatorEval, if it exists
 * @param failedCreate the message of the trainer Job's newest FailedCreate event
 * @param liveProgress the newest {@code PROGRESS} object of the running trainer's log
 * @param model the target model's facts, when the operator can read its config.json (read only
 *     before the trainer's Job exists)
 * @param existingClaim the claim named in {@code storage.claimName}, if it exists (likewise)
 */
public record TrainingObservation(
    SpeculatorTraining training,
    Optional<HiddenStateDataset> dataset,
    Optional<Job> job,
    Optional<PersistentVolumeClaim> claim,
    List<Pod> pods,
    Optional<SpeculatorEval> evaluation,
    Optional<String> failedCreate,
    Optional<ObjectNode> liveProgress,
    Optional<ModelFacts> model,
    Optional<PersistentVolumeClaim> existingClaim) {

  /** An observation without what the storage pre-flight needs (the check is skipped). */
  public TrainingObservation(
      SpeculatorTraining training,
      Optional<HiddenStateDataset> dataset,
      Optional<Job> job,
      Optional<PersistentVolumeClaim> claim,
      List<Pod> pods,
      Optional<SpeculatorEval> evaluation,
      Optional<String> failedCreate,
      Optional<ObjectNode> liveProgress) {
    this(
        training,
        dataset,
        job,
        claim,
        pods,
        evaluation,
        failedCreate,
        liveProgress,
        Optional.empty(),
        Optional.empty());
  }
}
