package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.speculators.api.common.Engine;
import dev.speculators.api.common.ModelSource;
import dev.speculators.api.common.Patterns;
import dev.speculators.api.common.PodOverrides;
import dev.speculators.api.common.Storage;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** What to train, from which data, with which hyper-parameters, and how to evaluate the result. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.dataset.path) == has(self.targetModel)",
    message =
        "targetModel is required with dataset.path and must not be set otherwise (it comes from the dataset)",
    fieldPath = ".targetModel")
@ValidationRule(
    value =
        "!has(self.targetModel) || !has(self.targetModel.vocabSize) || self.draft.draftVocabSize <= self.targetModel.vocabSize",
    message = "draft.draftVocabSize must not exceed targetModel.vocabSize",
    fieldPath = ".draft.draftVocabSize")
@ValidationRule(
    value =
        "!has(self.dataset.template) || !has(self.dataset.template.targetModel.vocabSize) || self.draft.draftVocabSize <= self.dataset.template.targetModel.vocabSize",
    message = "draft.draftVocabSize must not exceed dataset.template.targetModel.vocabSize",
    fieldPath = ".draft.draftVocabSize")
@ValidationRule(
    value = "!has(self.acceptanceGate) || has(self.evaluation)",
    message = "acceptanceGate needs evaluation: the gate is checked against its result",
    fieldPath = ".acceptanceGate")
@ValidationRule(
    value =
        "!has(self.podTemplate) || !has(self.podTemplate.resources) || (!has(self.resources.requests) && !has(self.resources.limits))",
    message = "set container resources either in resources or in podTemplate.resources, not both",
    fieldPath = ".resources")
public class SpeculatorTrainingSpec {

  @JsonPropertyDescription("The hidden-state dataset to train on: ref, template or path.")
  @Required
  public TrainingDatasetSource dataset;

  @JsonPropertyDescription(
      "The target (verifier) model. Required with dataset.path; otherwise taken from the dataset.")
  public ModelSource targetModel;

  @JsonPropertyDescription(
      "vllm (default): the GPU trainer image. reference: the CPU worker image, for tiny models.")
  @Default("vllm")
  public Engine engine = Engine.VLLM;

  @JsonPropertyDescription("Architecture of the draft model.")
  @Default("{}")
  public DraftSpec draft = new DraftSpec();

  @JsonPropertyDescription("Optimisation hyper-parameters.")
  @Default("{}")
  public TrainingParameters training = new TrainingParameters();

  @JsonPropertyDescription("GPUs and container resources of the trainer.")
  @Default("{}")
  public TrainingResources resources = new TrainingResources();

  @JsonPropertyDescription(
      "Where checkpoints and the final speculator are written; default: a PVC the operator"
          + " creates (100Gi, retained).")
  public Storage storage;

  @JsonPropertyDescription("Overrides for the trainer pod.")
  public PodOverrides podTemplate;

  @JsonPropertyDescription("Kueue LocalQueue: sets the kueue.x-k8s.io/queue-name label on the Job.")
  @Pattern(Patterns.LABEL_VALUE) @Size(max = 63) public String queueName;

  @JsonPropertyDescription(
      "Evaluate the trained speculator: a SpeculatorEval spec without speculator and targetModel,"
          + " which the operator fills in.")
  public EvalSettings evaluation;

  @JsonPropertyDescription("Ready only if the evaluation reaches this quality.")
  public AcceptanceGate acceptanceGate;
}
