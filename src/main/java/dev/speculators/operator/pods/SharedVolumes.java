package dev.speculators.operator.pods;

import dev.speculators.operator.kube.WorkloadSettings;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Volume;

/** Volumes every workload pod has in the same shape: the Hugging Face cache and vLLM's shm. */
public final class SharedVolumes {
  private SharedVolumes() {}

  /** The Hugging Face cache: the operator's shared claim if configured, else an emptyDir. */
  public static Volume hfCache(WorkloadSettings settings) {
    return settings
        .hfCacheClaim()
        .map(claim -> Volumes.claim(Volumes.HF_CACHE, claim, false))
        .orElseGet(() -> Volumes.emptyDir(Volumes.HF_CACHE));
  }

  /** {@code HF_HOME} pointing at the cache volume. */
  public static EnvVar hfHome() {
    return new EnvVarBuilder().withName("HF_HOME").withValue(Volumes.HF_CACHE_PATH).build();
  }

  /** vLLM's {@code /dev/shm}: memory-backed, limited. */
  public static Volume shm(WorkloadSettings settings) {
    return Volumes.memory(Volumes.SHM, settings.shmSizeLimit());
  }
}
