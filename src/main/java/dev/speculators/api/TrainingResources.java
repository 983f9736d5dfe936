package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Map;

/** GPUs and container resources of the trainer pod. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrainingResources {

  @JsonPropertyDescription(
      "GPUs of the trainer (engine vllm; ignored by the CPU engine reference). The trainer trains"
          + " on one GPU: data-parallel training over several is not implemented, so more than one"
          + " would only hold GPUs idle.")
  @Default("1")
  @Min(0) @Max(1) public Integer gpus = 1;

  @JsonPropertyDescription("Container resource requests, e.g. cpu and memory.")
  @Size(max = 16) public Map<String, Quantity> requests;

  @JsonPropertyDescription("Container resource limits, e.g. memory.")
  @Size(max = 16) public Map<String, Quantity> limits;
}
