package dev.speculators.operator.dataset;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.api.HiddenStateDataset;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the dataset controller observed before deciding: the resource and its children, read from
 * the informer caches (and the Job's FailedCreate events when it has no pods).
 *
 * @param dataset the resource
 * @param job the datagen Job with the deterministic name, if it exists
 * @param configMap the ConfigMap with the deterministic name, if it exists
 * @param claim the created PVC with the deterministic name, if it exists
 * @param pods the pods of the Job
 * @param failedCreate the message of the Job's newest FailedCreate event
 * @param liveShards the newest {@code PROGRESS} object of each running shard's log, by index
 * @param around what the namespace holds for reuse and the storage pre-flight
 */
public record DatasetObservation(
    HiddenStateDataset dataset,
    Optional<Job> job,
    Optional<ConfigMap> configMap,
    Optional<PersistentVolumeClaim> claim,
    List<Pod> pods,
    Optional<String> failedCreate,
    Map<Integer, ObjectNode> liveShards,
    DatasetSurroundings around) {

  /** An observation without surroundings: no reuse, the storage check left to the pods. */
  public DatasetObservation(
      HiddenStateDataset dataset,
      Optional<Job> job,
      Optional<ConfigMap> configMap,
      Optional<PersistentVolumeClaim> claim,
      List<Pod> pods,
      Optional<String> failedCreate,
      Map<Integer, ObjectNode> liveShards) {
    this(
        dataset, job, configMap, claim, pods, failedCreate, liveShards, DatasetSurroundings.none());
  }

  /** An observation without live progress. */
  public DatasetObservation(
      HiddenStateDataset dataset,
      Optional<Job> job,
      Optional<ConfigMap> configMap,
      Optional<PersistentVolumeClaim> claim,
      List<Pod> pods,
      Optional<String> failedCreate) {
    this(dataset, job, configMap, claim, pods, failedCreate, Map.of());
  }
}
