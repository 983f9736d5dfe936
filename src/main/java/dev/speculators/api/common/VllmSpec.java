package dev.speculators.api.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.util.List;

/**
 * How the operator runs vLLM (engine {@code vllm}). Unset fields take the defaults below; for a
 * SpeculatorEval with a {@code preset}, the preset's values come before these defaults.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VllmSpec {

  /** vLLM's own default share of GPU memory. */
  public static final double DEFAULT_GPU_MEMORY_UTILIZATION = 0.9;

  /** How long vLLM may take to load a model before the pod counts as failed. */
  public static final int DEFAULT_STARTUP_TIMEOUT_SECONDS = 1800;

  @JsonPropertyDescription("vLLM image; default: the operator's SPECULATORS_VLLM_IMAGE.")
  @Size(min = 1, max = 512) public String image;

  @JsonPropertyDescription("Tensor-parallel size: GPUs per vLLM server (default 1).")
  @Min(1) @Max(64) public Integer tensorParallelSize;

  @JsonPropertyDescription("Fraction of GPU memory vLLM may use, in (0, 1] (default 0.9).")
  @Min(value = 0, inclusive = false) @Max(1) public Double gpuMemoryUtilization;

  @JsonPropertyDescription("Maximum model context length; default: the model's own.")
  @Min(16) @Max(16777216) public Integer maxModelLen;

  @JsonPropertyDescription(
      "Extra command-line arguments for vllm serve. Flags the operator manages (--port,"
          + " --tensor-parallel-size, --gpu-memory-utilization, --max-model-len,"
          + " --speculative-config) are rejected: use the fields.")
  @Size(max = 64) @ValidationRule(
      value =
          "self.all(a, !a.matches('^--(port|tensor[-_]parallel[-_]size|gpu[-_]memory[-_]utilization|max[-_]model[-_]len|speculative[-_]config)(=.*)?$'))",
      message =
          "extraArgs must not set flags the operator manages; use tensorParallelSize, gpuMemoryUtilization, maxModelLen")
  public List<@Size(max = 1024) String> extraArgs;

  @JsonPropertyDescription("Seconds vLLM may take to become healthy (default 1800).")
  @Min(30) @Max(86400) public Integer startupTimeoutSeconds;

  @JsonPropertyDescription("Extra environment variables for the vLLM container.")
  @Size(max = 64) public List<EnvVar> env;

  /** Tensor-parallel size with its default applied. */
  public int resolvedTensorParallelSize() {
    return tensorParallelSize == null ? 1 : tensorParallelSize;
  }

  /** GPU memory share with its default applied. */
  public double resolvedGpuMemoryUtilization() {
    return gpuMemoryUtilization == null ? DEFAULT_GPU_MEMORY_UTILIZATION : gpuMemoryUtilization;
  }

  /** Startup timeout with its default applied. */
  public int resolvedStartupTimeoutSeconds() {
    return startupTimeoutSeconds == null ? DEFAULT_STARTUP_TIMEOUT_SECONDS : startupTimeoutSeconds;
  }
}
