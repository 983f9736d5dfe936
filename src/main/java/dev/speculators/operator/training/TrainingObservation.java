package dev.speculators.operator.training;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.api.SpeculatorEval;
import dev.speculators.api.SpeculatorTraining;
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
 */
public record TrainingObservation(
    SpeculatorTraining training,
    Optional<HiddenStateDataset> dataset,
    Optional<Job> job,
    Optional<PersistentVolumeClaim> claim,
    List<Pod> pods,
    Optional<SpeculatorEval> evaluation,
    Optional<String> failedCreate,
    Optional<ObjectNode> liveProgress) {}
