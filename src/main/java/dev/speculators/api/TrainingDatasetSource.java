package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.speculators.api.common.ResourceRef;
import dev.speculators.api.common.VolumePath;
import io.fabric8.generator.annotation.ValidationRule;

/** The training data: an existing dataset, an inline one the operator creates, or files. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "[has(self.ref), has(self.template), has(self.path)].filter(x, x).size() == 1",
    message = "exactly one of ref, template or path must be set")
public class TrainingDatasetSource {

  @JsonPropertyDescription(
      "A HiddenStateDataset in the same namespace; training waits until it succeeded.")
  public ResourceRef ref;

  @JsonPropertyDescription(
      "A HiddenStateDataset spec: the operator creates an owned dataset named after the training.")
  public HiddenStateDatasetSpec template;

  @JsonPropertyDescription(
      "A pre-generated speculators dataset: a directory with data/ (data_<i>.pt) and"
          + " token_freq.pt beside it.")
  public VolumePath path;
}
