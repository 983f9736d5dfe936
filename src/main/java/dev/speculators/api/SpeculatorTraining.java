package dev.speculators.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Trains an EAGLE3 draft model (a speculator) for a target model from a hidden-state dataset,
 * writes a vLLM-loadable speculator and optionally evaluates it.
 *
 * <p>Immutable after creation: {@code dataset}, {@code targetModel}, {@code engine}, {@code draft},
 * {@code training}, {@code storage}. Mutable: {@code resources}, {@code podTemplate}, {@code
 * queueName} (they apply to the next trainer pod, which resumes from the newest checkpoint), {@code
 * evaluation} and {@code acceptanceGate}.
 */
@Group(ApiGroup.GROUP)
@Version(ApiGroup.VERSION)
@Plural("speculatortrainings")
@ShortNames({"spt", "spts"})
@Categories(ApiGroup.CATEGORY)
@AdditionalPrinterColumn(
    name = "Phase",
    jsonPath = ".status.phase",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Progress",
    jsonPath = ".status.progress.summary",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "ETA",
    jsonPath = ".status.progress.eta",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Loss",
    jsonPath = ".status.results.valLoss",
    type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(
    name = "Acceptance",
    jsonPath = ".status.results.meanAcceptanceLength",
    type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(
    name = "TrainLoss",
    jsonPath = ".status.results.trainLoss",
    type = AdditionalPrinterColumn.Type.NUMBER,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Rate",
    jsonPath = ".status.progress.rate",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(
    name = "GPU-Seconds",
    jsonPath = ".status.usage.gpuSeconds",
    type = AdditionalPrinterColumn.Type.INTEGER,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Message",
    jsonPath = ".status.message",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@ValidationRule(
    value = "self.spec.dataset == oldSelf.spec.dataset",
    message = "dataset is immutable",
    fieldPath = ".spec.dataset")
@ValidationRule(
    value =
        "has(self.spec.targetModel) == has(oldSelf.spec.targetModel) && (!has(self.spec.targetModel) || self.spec.targetModel == oldSelf.spec.targetModel)",
    message = "targetModel is immutable",
    fieldPath = ".spec.targetModel")
@ValidationRule(
    value = "self.spec.engine == oldSelf.spec.engine",
    message = "engine is immutable",
    fieldPath = ".spec.engine")
@ValidationRule(
    value = "self.spec.draft == oldSelf.spec.draft",
    message = "draft is immutable",
    fieldPath = ".spec.draft")
@ValidationRule(
    value = "self.spec.training == oldSelf.spec.training",
    message = "training is immutable",
    fieldPath = ".spec.training")
@ValidationRule(
    value =
        "has(self.spec.storage) == has(oldSelf.spec.storage) && (!has(self.spec.storage) || self.spec.storage == oldSelf.spec.storage)",
    message = "storage is immutable",
    fieldPath = ".spec.storage")
public class SpeculatorTraining
    extends CustomResource<SpeculatorTrainingSpec, SpeculatorTrainingStatus> implements Namespaced {

  public SpeculatorTraining() {}

  public SpeculatorTraining(String namespace, String name, SpeculatorTrainingSpec spec) {
    getMetadata().setNamespace(namespace);
    getMetadata().setName(name);
    setSpec(spec);
  }

  @Override
  @Required
  public SpeculatorTrainingSpec getSpec() {
    return super.getSpec();
  }
}
