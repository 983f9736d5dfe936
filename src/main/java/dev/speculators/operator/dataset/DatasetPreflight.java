package dev.speculators.operator.dataset;

import dev.speculators.api.DatasetPhase;
import dev.speculators.api.DatasetSource;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.api.HiddenStateDatasetSpec;
import dev.speculators.api.common.ModelSource;
import dev.speculators.datagen.DatasetSize;
import dev.speculators.io.StorageCheck;
import dev.speculators.operator.pods.ContainerResources;
import dev.speculators.operator.pods.StoragePlan;
import dev.speculators.operator.preflight.ModelFacts;
import dev.speculators.operator.preflight.StorageEstimates;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

/**
 * The operator's storage pre-flight of a dataset, before any Job: {@link DatasetSize} from the
 * sample count the spec caps, the captured layers, the target's hidden size (its config.json when
 * the operator can read it, else a finished dataset of the same model in the namespace) and the
 * mean sample length (a finished dataset over the same conversations, else the sequence-length cap,
 * an upper bound), against the volume's size.
 *
 * <p>A measured estimate that does not fit refuses the dataset. One at the cap that does not fit,
 * or one that leaves little room, only warns: the pre-flight container in each pod measures the
 * real sample lengths before vLLM starts, and refuses there. Without a sample cap, a readable
 * config or a known volume size the operator cannot estimate and leaves the check to the pods.
 */
public final class DatasetPreflight {
  private DatasetPreflight() {}

  /**
   * What finished datasets of the namespace tell about this one.
   *
   * @param hiddenSize the target's hidden size, from a finished dataset of the same model
   * @param meanTokens the mean sample length of a finished dataset over the same conversations
   * @param meanFrom the name of that dataset
   */
  public record History(Integer hiddenSize, Double meanTokens, String meanFrom) {}

  /** The samples the spec caps: maxSamples, else the sum of every source's, else unknown. */
  static Optional<Long> samples(HiddenStateDatasetSpec spec) {
    if (spec.maxSamples != null) {
      return Optional.of(spec.maxSamples);
    }
    long sum = 0;
    for (DatasetSource s : spec.datasets) {
      if (s.maxSamples == null) {
        return Optional.empty();
      }
      sum += s.maxSamples;
    }
    return Optional.of(sum);
  }

  /** What the finished datasets around {@code ds} tell about its model and sample lengths. */
  static History history(HiddenStateDataset ds, String ownClaim, DatasetSurroundings around) {
    String key = DatasetIdentities.of(ds.getSpec(), ownClaim).tokenKey();
    Integer hidden = null;
    HiddenStateDataset meanFrom = null;
    for (HiddenStateDataset d :
        around.others().stream()
            .filter(DatasetPreflight::finished)
            .sorted(Comparator.comparing(d -> -d.getStatus().results.samples))
            .toList()) {
      if (hidden == null && sameModel(d.getSpec().targetModel, ds.getSpec().targetModel)) {
        hidden = d.getStatus().results.hiddenSize;
      }
      if (meanFrom == null && key.equals(DatasetIdentities.of(d.getSpec(), claim(d)).tokenKey())) {
        meanFrom = d;
      }
    }
    return new History(
        hidden,
        meanFrom == null
            ? null
            : (double) meanFrom.getStatus().results.tokens / meanFrom.getStatus().results.samples,
        meanFrom == null ? null : meanFrom.getMetadata().getName());
  }

  /**
   * The check, when the operator knows enough: a sample cap, the hidden size and the volume's size.
   */
  static Optional<StorageCheck> check(
      HiddenStateDataset ds, StoragePlan storage, DatasetSurroundings around) {
    HiddenStateDatasetSpec spec = ds.getSpec();
    Optional<Long> samples = samples(spec);
    Optional<Long> capacity = capacity(spec, around.existingClaim());
    if (samples.isEmpty() || capacity.isEmpty()) {
      return Optional.empty();
    }
    History h = history(ds, storage.claimName(), around);
    Integer hidden = around.model().map(ModelFacts::hiddenSize).orElse(h.hiddenSize());
    if (hidden == null) {
      return Optional.empty();
    }
    int cap =
        spec.sequenceLength == null
            ? HiddenStateDatasetSpec.DEFAULT_SEQUENCE_LENGTH
            : spec.sequenceLength;
    boolean measured = h.meanTokens() != null;
    DatasetSize size =
        new DatasetSize(
            samples.get(),
            measured ? Math.min(cap, h.meanTokens()) : cap,
            spec.layerIds != null
                ? spec.layerIds.size()
                : ContainerResources.DEFAULT_CAPTURED_LAYERS,
            hidden,
            measured);
    String basis =
        size.describe() + (measured ? ", the mean from HiddenStateDataset " + h.meanFrom() : "");
    return Optional.of(
        new StorageCheck(
            "the dataset", size.bytes(), capacity.get(), !measured, basis, volume(spec, around)));
  }

  /** The size of the volume: storage.size of a created claim, or the existing claim's. */
  static Optional<Long> capacity(
      HiddenStateDatasetSpec spec, Optional<PersistentVolumeClaim> existing) {
    if (spec.storage == null || spec.storage.claimName == null) {
      Quantity size =
          spec.storage != null && spec.storage.size != null
              ? spec.storage.size
              : new Quantity(DatasetPlanner.DEFAULT_SIZE);
      return Optional.of(StorageEstimates.bytes(size));
    }
    return existing.flatMap(StorageEstimates::claimSize).map(StorageEstimates::bytes);
  }

  private static String volume(HiddenStateDatasetSpec spec, DatasetSurroundings around) {
    if (spec.storage == null || spec.storage.claimName == null) {
      return "storage.size "
          + (spec.storage != null && spec.storage.size != null
              ? StorageEstimates.text(spec.storage.size)
              : DatasetPlanner.DEFAULT_SIZE);
    }
    return "PersistentVolumeClaim "
        + spec.storage.claimName
        + around
            .existingClaim()
            .flatMap(StorageEstimates::claimSize)
            .map(q -> " (" + StorageEstimates.text(q) + ")")
            .orElse("");
  }

  private static boolean finished(HiddenStateDataset d) {
    return d.getStatus() != null
        && d.getStatus().phase == DatasetPhase.SUCCEEDED
        && d.getStatus().results != null
        && d.getStatus().results.samples != null
        && d.getStatus().results.samples > 0
        && d.getStatus().results.tokens != null
        && d.getStatus().results.hiddenSize != null;
  }

  private static boolean sameModel(ModelSource a, ModelSource b) {
    return a != null
        && b != null
        && Objects.equals(a.hfId, b.hfId)
        && Objects.equals(a.revision, b.revision)
        && Objects.equals(a.pvc, b.pvc)
        && Objects.equals(a.path, b.path);
  }

  private static String claim(HiddenStateDataset d) {
    return StoragePlan.of(
            d, d.getSpec().storage, DatasetPlanner.CLAIM_SUFFIX, DatasetPlanner.DEFAULT_SIZE)
        .claimName();
  }
}
