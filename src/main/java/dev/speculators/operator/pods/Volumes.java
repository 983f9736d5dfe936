package dev.speculators.operator.pods;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;

/**
 * Names and mount paths of the volumes in workload pods; the paths are part of the pod contract
 * with the worker commands.
 */
public final class Volumes {
  /** Dataset volume: datagen writes {@code /data/<dataset>}. */
  public static final String DATA = "data";

  public static final String DATA_PATH = "/data";

  /** Dataset volume as the trainer sees it (read-only, the dataset directory itself). */
  public static final String DATASET = "dataset";

  public static final String DATASET_PATH = "/dataset";

  /** Training volume: the trainer writes {@code /output/<training>}. */
  public static final String OUTPUT = "output";

  public static final String OUTPUT_PATH = "/output";

  /** The speculator an eval serves (read-only, the {@code final/} directory itself). */
  public static final String SPECULATOR = "speculator";

  public static final String SPECULATOR_PATH = "/speculator";

  /** Eval volume: the eval writes {@code /results/<eval>}. */
  public static final String RESULTS = "results";

  public static final String RESULTS_PATH = "/results";

  /** Hidden states vLLM writes and datagen reads (emptyDir shared in the pod). */
  public static final String HIDDEN_STATES = "hidden-states";

  public static final String HIDDEN_STATES_PATH = "/hs";

  /** vLLM's shared memory (in-memory emptyDir). */
  public static final String SHM = "dshm";

  public static final String SHM_PATH = "/dev/shm";

  /** Hugging Face cache ({@code HF_HOME}). */
  public static final String HF_CACHE = "hf-cache";

  public static final String HF_CACHE_PATH = "/cache/huggingface";

  /** The workload description from the ConfigMap. */
  public static final String WORK = "work";

  public static final String WORK_PATH = "/etc/speculators";

  /** A target model on a PVC (read-only). */
  public static final String TARGET_MODEL = "target-model";

  public static final String TARGET_MODEL_PATH = "/models/target";

  /** Files resolved when the pod starts (vLLM's layer ids), shared between init and sidecar. */
  public static final String RUNTIME = "runtime";

  public static final String RUNTIME_PATH = "/run/speculators";

  /** A container's temporary directory (an emptyDir of its own). */
  public static final String TMP_PATH = "/tmp";

  /** Prefix of input volumes (dataset sources on other claims), mounted at /inputs/<claim>. */
  public static final String INPUT_PREFIX = "input-";

  public static final String INPUTS_PATH = "/inputs";

  private Volumes() {}

  public static Volume emptyDir(String name) {
    return new VolumeBuilder().withName(name).withNewEmptyDir().endEmptyDir().build();
  }

  /** An in-memory emptyDir (tmpfs) with a size limit. */
  public static Volume memory(String name, String sizeLimit) {
    return new VolumeBuilder()
        .withName(name)
        .withNewEmptyDir()
        .withMedium("Memory")
        .withSizeLimit(new Quantity(sizeLimit))
        .endEmptyDir()
        .build();
  }

  public static Volume claim(String name, String claimName, boolean readOnly) {
    return new VolumeBuilder()
        .withName(name)
        .withNewPersistentVolumeClaim()
        .withClaimName(claimName)
        .withReadOnly(readOnly ? true : null)
        .endPersistentVolumeClaim()
        .build();
  }

  public static Volume configMap(String name, String configMapName) {
    return new VolumeBuilder()
        .withName(name)
        .withNewConfigMap()
        .withName(configMapName)
        .endConfigMap()
        .build();
  }

  public static VolumeMount mount(String name, String path, boolean readOnly) {
    return mount(name, path, null, readOnly);
  }

  /** A mount of a directory inside the volume ({@code subPath}; null or empty for the root). */
  public static VolumeMount mount(String name, String path, String subPath, boolean readOnly) {
    return new VolumeMountBuilder()
        .withName(name)
        .withMountPath(path)
        .withSubPath(subPath == null || subPath.isEmpty() ? null : subPath)
        .withReadOnly(readOnly ? true : null)
        .build();
  }

  /**
   * How content hashes name a claim's volume (or a sub-directory of it): {@code
   * pvc:<claim>[/<sub>]}, wherever a pod mounts it ({@code datagen --volume-name}).
   */
  public static String contentName(String claim, String subPath) {
    String sub = subPath == null ? "" : subPath;
    while (sub.startsWith("/")) {
      sub = sub.substring(1);
    }
    while (sub.endsWith("/")) {
      sub = sub.substring(0, sub.length() - 1);
    }
    return "pvc:" + claim + (sub.isEmpty() ? "" : "/" + sub);
  }
}
