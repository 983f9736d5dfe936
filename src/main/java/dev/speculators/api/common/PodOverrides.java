package dev.speculators.api.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/** Settings the operator copies into the pods it creates for a resource. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PodOverrides {

  /** GPU extended resource requested when {@code gpuResourceName} is not set. */
  public static final String DEFAULT_GPU_RESOURCE = "nvidia.com/gpu";

  /** Label and annotation prefix the operator keeps for itself. */
  public static final String RESERVED_PREFIX = "speculators.dev/";

  @JsonPropertyDescription("Node labels the pods must match.")
  @Size(max = 64) public Map<String, @Size(max = 63) String> nodeSelector;

  @JsonPropertyDescription("Tolerations of the pods (e.g. for tainted GPU nodes).")
  @Size(max = 32) public List<Toleration> tolerations;

  @JsonPropertyDescription("Affinity of the pods.")
  public Affinity affinity;

  @JsonPropertyDescription("PriorityClass of the pods.")
  @Pattern(Patterns.DNS_SUBDOMAIN) @Size(max = 253) public String priorityClassName;

  @JsonPropertyDescription("Secrets for pulling the images.")
  @Size(max = 16) public List<LocalObjectReference> imagePullSecrets;

  @JsonPropertyDescription("ServiceAccount the pods run as; default: the namespace's default.")
  @Pattern(Patterns.DNS_SUBDOMAIN) @Size(max = 253) public String serviceAccountName;

  @JsonPropertyDescription("Extra environment variables for the worker container.")
  @Size(max = 64) public List<EnvVar> env;

  @JsonPropertyDescription("Extra labels on the pods (and their Jobs).")
  @Size(max = 64) @ValidationRule(
      value = "self.all(k, !k.startsWith('" + RESERVED_PREFIX + "'))",
      message = "label keys with prefix " + RESERVED_PREFIX + " are reserved for the operator")
  public Map<String, @Size(max = 63) String> labels;

  @JsonPropertyDescription("Extra annotations on the pods.")
  @Size(max = 64) @ValidationRule(
      value = "self.all(k, !k.startsWith('" + RESERVED_PREFIX + "'))",
      message = "annotation keys with prefix " + RESERVED_PREFIX + " are reserved for the operator")
  public Map<String, @Size(max = 4096) String> annotations;

  @JsonPropertyDescription("Extended resource name of the GPUs (default nvidia.com/gpu).")
  @Default(DEFAULT_GPU_RESOURCE)
  @Pattern(Patterns.RESOURCE_NAME) @Size(max = 253) public String gpuResourceName = DEFAULT_GPU_RESOURCE;

  @JsonPropertyDescription(
      "Resources of the worker container, over the operator's defaults (see the README: CPU and"
          + " memory derived from the workload). GPUs are added by the operator from the"
          + " workload's GPU count.")
  public ResourceRequirements resources;

  @JsonPropertyDescription(
      "Resources of the other containers by name (vllm, vllm-baseline, layer-ids), over the"
          + " operator's defaults; GPUs always come from the workload.")
  @Size(max = 8) public Map<String, ResourceRequirements> containerResources;

  @JsonPropertyDescription("Worker image; default: the operator's image setting for this workload.")
  @Size(min = 1, max = 512) public String image;

  /** The GPU resource name, also when no overrides were given. */
  public static String gpuResourceName(PodOverrides overrides) {
    return overrides == null || overrides.gpuResourceName == null
        ? DEFAULT_GPU_RESOURCE
        : overrides.gpuResourceName;
  }
}
