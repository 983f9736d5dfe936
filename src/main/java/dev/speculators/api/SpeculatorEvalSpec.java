package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.speculators.api.common.ModelSource;
import io.fabric8.generator.annotation.ValidationRule;

/** A benchmark of a speculator with a target model in vLLM. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.speculator) || has(self.preset)",
    message = "speculator is required unless preset is set",
    fieldPath = ".speculator")
@ValidationRule(
    value =
        "has(self.targetModel) || has(self.preset) || (has(self.speculator) && has(self.speculator.trainingRef))",
    message = "targetModel is required unless speculator.trainingRef or preset is set",
    fieldPath = ".targetModel")
public class SpeculatorEvalSpec extends EvalSettings {

  @JsonPropertyDescription(
      "The target (verifier) model. Optional with speculator.trainingRef (the training's model)"
          + " or preset (the preset's base model).")
  public ModelSource targetModel;

  @JsonPropertyDescription("The speculator: trainingRef, path or hfId.")
  public SpeculatorSource speculator;
}
