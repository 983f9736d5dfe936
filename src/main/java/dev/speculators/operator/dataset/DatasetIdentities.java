package dev.speculators.operator.dataset;

import dev.speculators.api.DatasetSource;
import dev.speculators.api.HiddenStateDatasetSpec;
import dev.speculators.api.common.Engine;
import dev.speculators.api.common.ModelSource;
import dev.speculators.datagen.DatasetIdentity;
import dev.speculators.operator.pods.Volumes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The content hash of a HiddenStateDataset, from its spec, before anything runs: the {@link
 * DatasetIdentity} that {@code datagen} computes from the arguments the operator gives it (the test
 * of the tiny pipeline on the mock checks that both agree). Files on volumes are named {@code
 * pvc:<claim>/<path>}, as {@code datagen --volume-name} names the pod's mounts.
 */
public final class DatasetIdentities {
  private DatasetIdentities() {}

  /**
   * The identity of what {@code spec} generates.
   *
   * @param ownClaim the claim the dataset writes to (sources without a claim name are on it)
   */
  public static DatasetIdentity of(HiddenStateDatasetSpec spec, String ownClaim) {
    boolean reference = spec.engine == Engine.REFERENCE;
    List<DatasetIdentity.Source> sources = new ArrayList<>();
    for (DatasetSource s : spec.datasets) {
      boolean dropout = Boolean.TRUE.equals(s.turnDropout);
      if (s.preset != null) {
        sources.add(
            new DatasetIdentity.Source(
                s.preset.name().toLowerCase(Locale.ROOT),
                null,
                null,
                "main",
                s.split,
                s.maxSamples,
                dropout));
      } else if (s.hf != null) {
        sources.add(
            new DatasetIdentity.Source(null, s.hf, null, "main", s.split, s.maxSamples, dropout));
      } else {
        sources.add(
            new DatasetIdentity.Source(
                null,
                null,
                pathName(s.path.claimName, s.path.path, ownClaim),
                null,
                null,
                s.maxSamples,
                dropout));
      }
    }
    return new DatasetIdentity(
        reference ? "reference" : "vllm",
        reference ? "reference" : "vllm",
        model(spec.targetModel),
        sources,
        spec.sequenceLength == null
            ? HiddenStateDatasetSpec.DEFAULT_SEQUENCE_LENGTH
            : spec.sequenceLength,
        spec.layerIds,
        spec.maxSamples,
        spec.seed == null ? 0 : spec.seed,
        Map.of());
  }

  /** The content hash of {@code spec}. */
  public static String hash(HiddenStateDatasetSpec spec, String ownClaim) {
    return of(spec, ownClaim).hash();
  }

  private static DatasetIdentity.Model model(ModelSource m) {
    if (m.hfId != null) {
      return DatasetIdentity.Model.ofHub(m.hfId, m.revision);
    }
    if (m.pvc != null) {
      return DatasetIdentity.Model.ofPath(Volumes.contentName(m.pvc.claimName, m.pvc.subPath));
    }
    return DatasetIdentity.Model.ofPath(imagePath(m.path));
  }

  /**
   * A source file's name: on a claim (its own when none is named, as the pod mounts it), or in the
   * image for an absolute path without a claim.
   */
  static String pathName(String claim, String path, String ownClaim) {
    if (claim == null && path.startsWith("/")) {
      return imagePath(path);
    }
    String relative =
        Path.of(path.startsWith("/") ? path.substring(1) : path).normalize().toString();
    return Volumes.contentName(claim == null ? ownClaim : claim, relative);
  }

  private static String imagePath(String path) {
    return Path.of(path).normalize().toString().replace('\\', '/');
  }
}
