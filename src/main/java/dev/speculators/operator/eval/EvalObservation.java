package dev.speculators.operator.eval;

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
 * What the eval controller observed before deciding.
 *
 * @param eval the resource
 * @param training the SpeculatorTraining of speculator.trainingRef, if it exists
 * @param trainingDataset the dataset of that training (only read when the target model comes from
 *     it)
 * @param job the eval Job, if it exists
 * @param claim the created results PVC, if it exists
 * @param pods the eval pods
 * @param failedCreate the message of the Job's newest FailedCreate event
 * @param liveProgress the newest {@code PROGRESS} object of the running eval container's log
 * @param draftMaxPositions the context length of a Hub or volume speculator, where the operator
 *     could read its config (a trained one's is in the training's results)
 */
public record EvalObservation(
    SpeculatorEval eval,
    Optional<SpeculatorTraining> training,
    Optional<HiddenStateDataset> trainingDataset,
    Optional<Job> job,
    Optional<PersistentVolumeClaim> claim,
    List<Pod> pods,
    Optional<String> failedCreate,
    Optional<ObjectNode> liveProgress,
    Optional<Integer> draftMaxPositions) {}
