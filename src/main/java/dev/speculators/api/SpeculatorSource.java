package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.speculators.api.common.Patterns;
import dev.speculators.api.common.ResourceRef;
import dev.speculators.api.common.VolumePath;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Which speculator to evaluate. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "[has(self.trainingRef), has(self.path), has(self.hfId)].filter(x, x).size() == 1",
    message = "exactly one of trainingRef, path or hfId must be set")
@ValidationRule(
    value = "!has(self.revision) || has(self.hfId)",
    message = "revision applies only to hfId",
    fieldPath = ".revision")
public class SpeculatorSource {

  @JsonPropertyDescription(
      "A SpeculatorTraining in the same namespace: its final speculator, once it succeeded.")
  public ResourceRef trainingRef;

  @JsonPropertyDescription("A speculator directory (config.json + model.safetensors) on a volume.")
  public VolumePath path;

  @JsonPropertyDescription(
      "A speculator on Hugging Face, e.g. RedHatAI/Qwen3-8B-speculator.eagle3.")
  @Pattern(Patterns.HF_REPO_ID) @Size(max = 200) public String hfId;

  @JsonPropertyDescription("Revision of hfId; default: the main branch.")
  @Pattern(Patterns.REVISION) @Size(max = 255) public String revision;
}
