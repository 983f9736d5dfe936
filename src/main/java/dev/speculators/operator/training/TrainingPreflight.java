package dev.speculators.operator.training;

import dev.speculators.api.DraftSpec;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.api.SpeculatorTrainingSpec;
import dev.speculators.api.TrainingParameters;
import dev.speculators.io.StorageCheck;
import dev.speculators.operator.pods.ContainerResources;
import dev.speculators.operator.preflight.ModelFacts;
import dev.speculators.operator.preflight.StorageEstimates;
import dev.speculators.train.checkpoint.OutputSize;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Optional;

/**
 * The operator's storage pre-flight of a training, before its Job: the checkpoints (one per epoch,
 * all kept) and the final speculator ({@link OutputSize}, from the draft's shape, which follows the
 * target's config.json) against the output volume's size. It needs the config: without one the
 * operator does not estimate.
 */
public final class TrainingPreflight {
  /** Verifier layers concatenated into the draft's fc when the dataset's ids are not known. */
  static final int DEFAULT_AUX_LAYERS = ContainerResources.DEFAULT_CAPTURED_LAYERS - 1;

  private TrainingPreflight() {}

  /** The check, when the target's config is readable and the volume's size known. */
  static Optional<StorageCheck> check(
      SpeculatorTrainingSpec spec,
      Optional<ModelFacts> model,
      Optional<HiddenStateDataset> dataset,
      Optional<PersistentVolumeClaim> existingClaim) {
    if (model.isEmpty()) {
      return Optional.empty();
    }
    Optional<Long> capacity = capacity(spec, existingClaim);
    if (capacity.isEmpty()) {
      return Optional.empty();
    }
    ModelFacts m = model.get();
    DraftSpec d = spec.draft == null ? new DraftSpec() : spec.draft;
    TrainingParameters p = spec.training == null ? new TrainingParameters() : spec.training;
    int aux =
        dataset
            .map(HiddenStateDataset::getStatus)
            .filter(s -> s.results != null && s.results.resolvedLayerIds != null)
            .map(s -> s.results.resolvedLayerIds.size() - 1)
            .orElse(DEFAULT_AUX_LAYERS);
    OutputSize size =
        new OutputSize(
            m.hiddenSize(),
            m.intermediateSize(),
            m.numAttentionHeads(),
            m.numKeyValueHeads(),
            m.headDim(),
            d.numLayers,
            m.vocabSize(),
            Math.min(d.draftVocabSize, m.vocabSize()),
            aux,
            !Boolean.FALSE.equals(d.trainLmHead),
            p.epochs);
    return Optional.of(
        new StorageCheck(
            "the checkpoints and final speculator",
            size.bytes(),
            capacity.get(),
            false,
            size.describe(),
            volume(spec, existingClaim)));
  }

  private static Optional<Long> capacity(
      SpeculatorTrainingSpec spec, Optional<PersistentVolumeClaim> existing) {
    if (spec.storage == null || spec.storage.claimName == null) {
      Quantity size =
          spec.storage != null && spec.storage.size != null
              ? spec.storage.size
              : new Quantity(TrainingPlanner.DEFAULT_SIZE);
      return Optional.of(StorageEstimates.bytes(size));
    }
    return existing.flatMap(StorageEstimates::claimSize).map(StorageEstimates::bytes);
  }

  private static String volume(
      SpeculatorTrainingSpec spec, Optional<PersistentVolumeClaim> existing) {
    if (spec.storage == null || spec.storage.claimName == null) {
      return "storage.size "
          + (spec.storage != null && spec.storage.size != null
              ? StorageEstimates.text(spec.storage.size)
              : TrainingPlanner.DEFAULT_SIZE);
    }
    return "PersistentVolumeClaim "
        + spec.storage.claimName
        + existing
            .flatMap(StorageEstimates::claimSize)
            .map(q -> " (" + StorageEstimates.text(q) + ")")
            .orElse("");
  }
}
