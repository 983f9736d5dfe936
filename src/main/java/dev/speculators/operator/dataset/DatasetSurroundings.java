package dev.speculators.operator.dataset;

import dev.speculators.api.HiddenStateDataset;
import dev.speculators.operator.preflight.ModelFacts;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the dataset controller observed around a dataset before it launches anything: the other
 * datasets of the namespace (to reuse an equal one, or to learn the sample length of one over the
 * same conversations), the claims the operator created for datasets (a reused claim gets the reuser
 * as an owner), the target model's config when the operator can read it, and an existing claim the
 * dataset writes to (its size).
 *
 * @param others the other HiddenStateDatasets of the namespace
 * @param claims the PersistentVolumeClaims the operator created for datasets, by name
 * @param model the target model's facts, if the operator can read its config.json
 * @param existingClaim the claim named in {@code storage.claimName}, if it exists
 */
public record DatasetSurroundings(
    List<HiddenStateDataset> others,
    Map<String, PersistentVolumeClaim> claims,
    Optional<ModelFacts> model,
    Optional<PersistentVolumeClaim> existingClaim) {

  public DatasetSurroundings {
    others = List.copyOf(others);
    claims = Map.copyOf(claims);
  }

  /** Nothing around: no reuse, and the storage pre-flight is left to the pods. */
  public static DatasetSurroundings none() {
    return new DatasetSurroundings(List.of(), Map.of(), Optional.empty(), Optional.empty());
  }
}
