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
 * Serves a target model with a speculator in vLLM, benchmarks it with GuideLLM and reports
 * acceptance (mean acceptance length, per-position and conditional rates) and throughput.
 *
 * <p>Immutable after creation: everything except {@code podTemplate} and {@code queueName}, because
 * every other field changes what is measured.
 */
@Group(ApiGroup.GROUP)
@Version(ApiGroup.VERSION)
@Plural("speculatorevals")
@ShortNames({"spe", "spes"})
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
    name = "Acceptance",
    jsonPath = ".status.results.meanAcceptanceLength",
    type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(
    name = "Speedup",
    jsonPath = ".status.results.speedup",
    type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(
    name = "Throughput",
    jsonPath = ".status.results.outputTokensPerSecond",
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
    value =
        "has(self.spec.targetModel) == has(oldSelf.spec.targetModel) && (!has(self.spec.targetModel) || self.spec.targetModel == oldSelf.spec.targetModel)",
    message = "targetModel is immutable",
    fieldPath = ".spec.targetModel")
@ValidationRule(
    value =
        "has(self.spec.speculator) == has(oldSelf.spec.speculator) && (!has(self.spec.speculator) || self.spec.speculator == oldSelf.spec.speculator)",
    message = "speculator is immutable",
    fieldPath = ".spec.speculator")
@ValidationRule(
    value =
        "has(self.spec.preset) == has(oldSelf.spec.preset) && (!has(self.spec.preset) || self.spec.preset == oldSelf.spec.preset)",
    message = "preset is immutable",
    fieldPath = ".spec.preset")
@ValidationRule(
    value =
        "has(self.spec.method) == has(oldSelf.spec.method) && (!has(self.spec.method) || self.spec.method == oldSelf.spec.method)",
    message = "method is immutable",
    fieldPath = ".spec.method")
@ValidationRule(
    value =
        "has(self.spec.numSpeculativeTokens) == has(oldSelf.spec.numSpeculativeTokens) && (!has(self.spec.numSpeculativeTokens) || self.spec.numSpeculativeTokens == oldSelf.spec.numSpeculativeTokens)",
    message = "numSpeculativeTokens is immutable",
    fieldPath = ".spec.numSpeculativeTokens")
@ValidationRule(
    value =
        "has(self.spec.datasets) == has(oldSelf.spec.datasets) && (!has(self.spec.datasets) || self.spec.datasets == oldSelf.spec.datasets)",
    message = "datasets is immutable",
    fieldPath = ".spec.datasets")
@ValidationRule(
    value =
        "has(self.spec.sampling) == has(oldSelf.spec.sampling) && (!has(self.spec.sampling) || self.spec.sampling == oldSelf.spec.sampling)",
    message = "sampling is immutable",
    fieldPath = ".spec.sampling")
@ValidationRule(
    value = "self.spec.guidellm == oldSelf.spec.guidellm",
    message = "guidellm is immutable",
    fieldPath = ".spec.guidellm")
@ValidationRule(
    value = "self.spec.baseline == oldSelf.spec.baseline",
    message = "baseline is immutable",
    fieldPath = ".spec.baseline")
@ValidationRule(
    value = "self.spec.engine == oldSelf.spec.engine",
    message = "engine is immutable",
    fieldPath = ".spec.engine")
@ValidationRule(
    value =
        "has(self.spec.vllm) == has(oldSelf.spec.vllm) && (!has(self.spec.vllm) || self.spec.vllm == oldSelf.spec.vllm)",
    message = "vllm is immutable",
    fieldPath = ".spec.vllm")
@ValidationRule(
    value =
        "has(self.spec.storage) == has(oldSelf.spec.storage) && (!has(self.spec.storage) || self.spec.storage == oldSelf.spec.storage)",
    message = "storage is immutable",
    fieldPath = ".spec.storage")
public class SpeculatorEval extends CustomResource<SpeculatorEvalSpec, SpeculatorEvalStatus>
    implements Namespaced {

  public SpeculatorEval() {}

  public SpeculatorEval(String namespace, String name, SpeculatorEvalSpec spec) {
    getMetadata().setNamespace(namespace);
    getMetadata().setName(name);
    setSpec(spec);
  }

  @Override
  @Required
  public SpeculatorEvalSpec getSpec() {
    return super.getSpec();
  }
}
