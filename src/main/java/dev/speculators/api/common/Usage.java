package dev.speculators.api.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a resource has cost in accelerator time: the GPU-seconds of its pods (GPUs held × time
 * held), and for a training also those of the dataset and evaluation it created, per phase of the
 * work. The same pods feed the operator's {@code speculators_gpu_seconds_total} counter.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Usage {

  @JsonPropertyDescription(
      "GPU-seconds in total: this resource's pods, plus (SpeculatorTraining) the dataset it created"
          + " from dataset.template and the evaluation it created. Never decreases; updated at most"
          + " once a minute while pods run, exactly when they finish.")
  public Long gpuSeconds;

  @JsonPropertyDescription(
      "GPU-seconds by phase of the work: Generating (data generation), Training (the trainer),"
          + " Evaluating (the evaluation's pods).")
  public Map<String, Long> phases;

  /** The GPU-seconds of {@code phase} (0 when none were recorded). */
  public long of(String phase) {
    return phases == null ? 0 : phases.getOrDefault(phase, 0L);
  }

  /** A copy with {@code phase} at {@code seconds} and the total recomputed. */
  public Usage with(String phase, long seconds) {
    Usage u = new Usage();
    u.phases = new TreeMap<>(phases == null ? Map.of() : phases);
    u.phases.put(phase, seconds);
    u.gpuSeconds = u.phases.values().stream().mapToLong(Long::longValue).sum();
    return u;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Usage u
        && Objects.equals(gpuSeconds, u.gpuSeconds)
        && Objects.equals(phases, u.phases);
  }

  @Override
  public int hashCode() {
    return Objects.hash(gpuSeconds, phases);
  }
}
