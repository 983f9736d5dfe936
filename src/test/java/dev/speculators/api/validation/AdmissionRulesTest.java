package dev.speculators.api.validation;

import static dev.speculators.api.validation.TestResources.DATASET;
import static dev.speculators.api.validation.TestResources.EVAL;
import static dev.speculators.api.validation.TestResources.TRAINING;
import static dev.speculators.api.validation.TestResources.VALIDATOR;
import static dev.speculators.api.validation.TestResources.edit;
import static dev.speculators.api.validation.TestResources.remove;
import static dev.speculators.api.validation.TestResources.set;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invalid resources, each rejected with the message the API server would give. Covers the OpenAPI
 * schema (types, required, enums, ranges, lengths, patterns, item counts), unknown fields,
 * metadata, the CEL rules (one-of, relations) and the transition rules on update.
 */
class AdmissionRulesTest {

  static Stream<Arguments> invalidCreates() {
    return Stream.of(
        // --- OpenAPI schema ---
        create(
            "required field",
            edit(DATASET, remove("/spec/targetModel")),
            "spec.targetModel: Required value"),
        create("spec is required", edit(DATASET, remove("/spec")), "spec: Required value"),
        create(
            "minItems",
            edit(DATASET, set("/spec/datasets", "[]")),
            "spec.datasets: Invalid value: 0: spec.datasets in body should have at least 1 items"),
        create(
            "enum",
            edit(DATASET, set("/spec/engine", "tpu")),
            "spec.engine: Unsupported value: \"tpu\": supported values: \"reference\", \"vllm\""),
        create(
            "minimum",
            edit(DATASET, set("/spec/shards", "0")),
            "spec.shards: Invalid value: 0: spec.shards in body should be greater than or equal to 1"),
        create(
            "maximum",
            edit(DATASET, set("/spec/shards", "2000")),
            "spec.shards: Invalid value: 2000: spec.shards in body should be less than or equal to 1024"),
        create(
            "wrong type",
            edit(DATASET, set("/spec/sequenceLength", "long")),
            "spec.sequenceLength: Invalid value: \"string\": spec.sequenceLength in body must be of type integer: \"string\""),
        create(
            "unknown field",
            edit(DATASET, set("/spec/shard", "2")),
            "spec.shard: Unknown field: field not declared in schema"),
        create(
            "pattern",
            edit(DATASET, set("/spec/datasets/0", "{hf: 'not a dataset'}")),
            "spec.datasets[0].hf: Invalid value: \"not a dataset\": spec.datasets[0].hf in body should match"),
        create(
            "exclusive minimum",
            edit(DATASET, set("/spec/vllm", "{gpuMemoryUtilization: 0}")),
            "spec.vllm.gpuMemoryUtilization: Invalid value: 0: spec.vllm.gpuMemoryUtilization in body should be greater than 0"),
        create(
            "maximum of a number",
            edit(DATASET, set("/spec/vllm", "{gpuMemoryUtilization: 1.5}")),
            "spec.vllm.gpuMemoryUtilization: Invalid value: 1.5: spec.vllm.gpuMemoryUtilization in body should be less than or equal to 1"),
        create(
            "maxLength",
            edit(DATASET, set("/spec/storage", "{claimName: " + "a".repeat(300) + "}")),
            "spec.storage.claimName: Too long: may not be longer than 253"),
        create(
            "maxItems",
            edit(DATASET, set("/spec/layerIds", "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]")),
            "spec.layerIds: Too many: 17: must have at most 16 items"),
        create(
            "int-or-string of the wrong type",
            edit(DATASET, set("/spec/storage/size", "true")),
            "spec.storage.size: Invalid value: \"boolean\": spec.storage.size in body must be of type integer,string: \"boolean\""),
        create(
            "trainer on more than one GPU",
            edit(TRAINING, set("/spec/resources", "{gpus: 4}")),
            "spec.resources.gpus: Invalid value: 4: spec.resources.gpus in body should be less than or equal to 1"),
        create(
            "map entry of the wrong type",
            edit(TRAINING, set("/spec/resources", "{requests: {memory: true}}")),
            "spec.resources.requests[memory]: Invalid value: \"boolean\": spec.resources.requests[memory] in body must be of type integer,string: \"boolean\""),
        create(
            "metadata name",
            edit(DATASET, set("/metadata/name", "Bad_Name")),
            "metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain"),
        create(
            "missing name",
            edit(DATASET, remove("/metadata/name")),
            "metadata.name: Required value: name or generateName is required"),
        create(
            "unknown version",
            edit(DATASET, set("/apiVersion", "speculators.dev/v1")),
            "kind: Unsupported value: \"HiddenStateDataset\": no matches for kind \"HiddenStateDataset\" in version \"speculators.dev/v1\""),
        create(
            "type errors block CEL",
            edit(DATASET, set("/spec/shards", "many"), set("/spec/maxSamples", "1")),
            "<nil>: Internal error: some validation rules were not checked because the object was invalid"),

        // --- CEL: one-of and relations, HiddenStateDataset ---
        create(
            "model source: two",
            edit(DATASET, set("/spec/targetModel/path", "/models/llama")),
            "spec.targetModel: Invalid value: \"object\": exactly one of hfId, pvc or path must be set"),
        create(
            "model source: none",
            edit(DATASET, set("/spec/targetModel", "{vocabSize: 10}")),
            "spec.targetModel: Invalid value: \"object\": exactly one of hfId, pvc or path must be set"),
        create(
            "revision without hfId",
            edit(DATASET, set("/spec/targetModel", "{pvc: {claimName: models}, revision: main}")),
            "spec.targetModel: Invalid value: \"object\": revision applies only to hfId"),
        create(
            "dataset entry: two",
            edit(DATASET, set("/spec/datasets/0/hf", "org/data")),
            "spec.datasets[0]: Invalid value: \"object\": exactly one of preset, hf or path must be set"),
        create(
            "split with a path",
            edit(DATASET, set("/spec/datasets/0", "{path: {path: convs.jsonl}, split: test}")),
            "spec.datasets[0].split: Invalid value: \"object\": split applies only to preset and hf datasets"),
        create(
            "negative layer id",
            edit(DATASET, set("/spec/layerIds", "[2, -1, 5]")),
            "spec.layerIds: Invalid value: \"array\": layerIds must be non-negative"),
        create(
            "duplicate layer ids",
            edit(DATASET, set("/spec/layerIds", "[2, 2, 5]")),
            "spec.layerIds: Invalid value: \"array\": layerIds must be distinct"),
        create(
            "storage: both",
            edit(DATASET, set("/spec/storage/claimName", "data")),
            "spec.storage: Invalid value: \"object\": exactly one of claimName (an existing PVC) or size (a PVC the operator creates) must be set"),
        create(
            "storage: delete an existing claim",
            edit(DATASET, set("/spec/storage", "{claimName: data, retentionPolicy: Delete}")),
            "spec.storage.retentionPolicy: Invalid value: \"object\": retentionPolicy Delete applies only to a PVC the operator creates"),
        create(
            "storage: size not a quantity",
            edit(DATASET, set("/spec/storage/size", "lots")),
            "spec.storage.size: Invalid value: \"\": size must be a positive quantity such as 200Gi"),
        create(
            "storage: subPath escapes",
            edit(DATASET, set("/spec/storage", "{claimName: data, subPath: ../other}")),
            "spec.storage.subPath: Invalid value: \"string\": subPath must be relative and must not contain '..'"),
        create(
            "volume path escapes its claim",
            edit(DATASET, set("/spec/datasets/0", "{path: {claimName: data, path: /etc/passwd}}")),
            "spec.datasets[0].path.path: Invalid value: \"object\": path on a claim must be relative and must not contain '..'"),
        create(
            "maxSamples below shards",
            edit(DATASET, set("/spec/maxSamples", "2")),
            "spec.maxSamples: Invalid value: \"object\": maxSamples must be at least shards: every shard needs a sample"),
        create(
            "vllm settings with the reference engine",
            edit(
                DATASET,
                set("/spec/engine", "reference"),
                set("/spec/vllm", "{tensorParallelSize: 2}")),
            "spec.vllm: Invalid value: \"object\": vllm settings apply only to engine vllm"),
        create(
            "managed vLLM flag in extraArgs",
            edit(
                DATASET,
                set("/spec/vllm", "{extraArgs: ['--enforce-eager', '--tensor-parallel-size=2']}")),
            "spec.vllm.extraArgs: Invalid value: \"array\": extraArgs must not set flags the operator manages"),
        create(
            "reserved label",
            edit(DATASET, set("/spec/podTemplate", "{labels: {speculators.dev/role: x}}")),
            "spec.podTemplate.labels: Invalid value: \"object\": label keys with prefix speculators.dev/ are reserved for the operator"),

        // --- CEL: SpeculatorTraining ---
        create(
            "dataset source: two",
            edit(TRAINING, set("/spec/dataset/path", "{path: data}")),
            "spec.dataset: Invalid value: \"object\": exactly one of ref, template or path must be set"),
        create(
            "dataset.path needs targetModel",
            edit(TRAINING, set("/spec/dataset", "{path: {path: data}}")),
            "spec.targetModel: Invalid value: \"object\": targetModel is required with dataset.path"),
        create(
            "targetModel only with dataset.path",
            edit(TRAINING, set("/spec/targetModel", "{hfId: org/model}")),
            "spec.targetModel: Invalid value: \"object\": targetModel is required with dataset.path and must not be set otherwise"),
        create(
            "draft vocab larger than the target's",
            edit(
                TRAINING,
                set("/spec/dataset", "{path: {path: data}}"),
                set("/spec/targetModel", "{path: tiny, vocabSize: 128}")),
            "spec.draft.draftVocabSize: Invalid value: \"object\": draft.draftVocabSize must not exceed targetModel.vocabSize"),
        create(
            "default draft vocab larger than the template's",
            edit(
                TRAINING,
                remove("/spec/draft"),
                set(
                    "/spec/dataset",
                    "{template: {targetModel: {path: tiny, vocabSize: 1000}, datasets: [{preset: sharegpt}]}}")),
            "spec.draft.draftVocabSize: Invalid value: \"object\": draft.draftVocabSize must not exceed dataset.template.targetModel.vocabSize"),
        create(
            "invalid inline dataset template",
            edit(
                TRAINING,
                set(
                    "/spec/dataset",
                    "{template: {targetModel: {path: tiny}, datasets: [{preset: sharegpt}], shards: 0}}")),
            "spec.dataset.template.shards: Invalid value: 0: spec.dataset.template.shards in body should be greater than or equal to 1"),
        create(
            "warmup: both",
            edit(TRAINING, set("/spec/training", "{warmupSteps: 10, warmupRatio: 0.1}")),
            "spec.training: Invalid value: \"object\": warmupSteps and warmupRatio are mutually exclusive"),
        create(
            "validationRatio of 1",
            edit(TRAINING, set("/spec/training", "{validationRatio: 1}")),
            "spec.training.validationRatio: Invalid value: \"object\": validationRatio must be in [0, 1)"),
        create(
            "tttSteps above range",
            edit(TRAINING, set("/spec/draft/tttSteps", "11")),
            "spec.draft.tttSteps: Invalid value: 11: spec.draft.tttSteps in body should be less than or equal to 10"),
        create(
            "tttInputs enum",
            edit(TRAINING, set("/spec/draft/tttInputs", "teacher")),
            "spec.draft.tttInputs: Unsupported value: \"teacher\": supported values: \"draft\", \"groundTruth\""),
        create(
            "acceptanceGate without evaluation",
            edit(TRAINING, set("/spec/acceptanceGate", "{minMeanAcceptanceLength: 2}")),
            "spec.acceptanceGate: Invalid value: \"object\": acceptanceGate needs evaluation"),
        create(
            "evaluation without datasets",
            edit(TRAINING, set("/spec/evaluation", "{baseline: true}")),
            "spec.evaluation.datasets: Invalid value: \"object\": datasets is required unless preset is set"),
        create(
            "evaluation rate missing",
            edit(
                TRAINING,
                set("/spec/evaluation", "{preset: qwen3-8b, guidellm: {profile: constant}}")),
            "spec.evaluation.guidellm.rate: Invalid value: \"object\": rate is required for profiles concurrent, constant and poisson"),
        create(
            "resources twice",
            edit(
                TRAINING,
                set("/spec/resources", "{requests: {memory: 64Gi}}"),
                set("/spec/podTemplate", "{resources: {limits: {memory: 64Gi}}}")),
            "spec.resources: Invalid value: \"object\": set container resources either in resources or in podTemplate.resources, not both"),

        // --- CEL: SpeculatorEval ---
        create(
            "no speculator",
            edit(EVAL, remove("/spec/speculator")),
            "spec.speculator: Invalid value: \"object\": speculator is required unless preset is set"),
        create(
            "no target model",
            edit(EVAL, remove("/spec/targetModel")),
            "spec.targetModel: Invalid value: \"object\": targetModel is required unless speculator.trainingRef or preset is set"),
        create(
            "speculator source: two",
            edit(EVAL, set("/spec/speculator/trainingRef", "{name: tr}")),
            "spec.speculator: Invalid value: \"object\": exactly one of trainingRef, path or hfId must be set"),
        create(
            "unknown preset",
            edit(EVAL, set("/spec/preset", "llama-4")),
            "spec.preset: Unsupported value: \"llama-4\""),
        create(
            "too many speculative tokens",
            edit(EVAL, set("/spec/numSpeculativeTokens", "17")),
            "spec.numSpeculativeTokens: Invalid value: 17: spec.numSpeculativeTokens in body should be less than or equal to 16"),
        create(
            "negative rate",
            edit(EVAL, set("/spec/guidellm", "{profile: poisson, rate: [2.0, -1.0]}")),
            "spec.guidellm.rate: Invalid value: \"array\": rates must be positive"),
        create(
            "rate with synchronous",
            edit(EVAL, set("/spec/guidellm", "{profile: synchronous, rate: [2]}")),
            "spec.guidellm.rate: Invalid value: \"object\": rate does not apply to profile synchronous"),

        // --- CEL: what GuideLLM 0.7.3 cannot run ---
        create(
            "throughput with several max concurrencies",
            edit(EVAL, set("/spec/guidellm", "{profile: throughput, rate: [2, 4]}")),
            "spec.guidellm.rate: Invalid value: \"object\": throughput and sweep take a single rate (max concurrency, number of benchmarks); GuideLLM runs several values only for concurrent, constant and poisson"),
        create(
            "sweep with several sizes",
            edit(EVAL, set("/spec/guidellm", "{profile: sweep, rate: [5, 10]}")),
            "spec.guidellm.rate: Invalid value: \"object\": throughput and sweep take a single rate"),
        create(
            "fractional max concurrency",
            edit(EVAL, set("/spec/guidellm", "{profile: throughput, rate: [2.5]}")),
            "spec.guidellm.rate: Invalid value: \"object\": rate must be a whole number for throughput (max concurrency), sweep (number of benchmarks) and concurrent (streams)"),
        create(
            "fractional streams",
            edit(EVAL, set("/spec/guidellm", "{profile: concurrent, rate: [1, 1.5]}")),
            "spec.guidellm.rate: Invalid value: \"object\": rate must be a whole number"),
        create(
            "sweep of one benchmark",
            edit(EVAL, set("/spec/guidellm", "{profile: sweep, rate: [1]}")),
            "spec.guidellm.rate: Invalid value: \"object\": a sweep needs at least 2 benchmarks"),
        create(
            "absurd rate",
            edit(EVAL, set("/spec/guidellm", "{profile: constant, rate: [1.0e12]}")),
            "spec.guidellm.rate: Invalid value: \"array\": rates must be at most 1000000"),
        create(
            "prompt column for synthetic text",
            edit(
                EVAL,
                set("/spec/datasets", "[prompts.jsonl, 'prompt_tokens=256,output_tokens=128']"),
                set("/spec/guidellm", "{textColumn: question}")),
            "spec.guidellm.textColumn: Invalid value: \"object\": guidellm.textColumn applies to data files: synthetic datasets generate their own prompt column"),
        create(
            "prompt column for a typed synthetic spec",
            edit(
                EVAL,
                set("/spec/datasets", "['{\"kind\": \"synthetic_text\", \"prompt_tokens\": 8}']"),
                set("/spec/guidellm", "{textColumn: question}")),
            "spec.guidellm.textColumn: Invalid value: \"object\": guidellm.textColumn applies to data files"),
        create(
            "prompt column with a dot",
            edit(EVAL, set("/spec/guidellm", "{textColumn: data.question}")),
            "spec.guidellm.textColumn: Invalid value: \"data.question\": spec.guidellm.textColumn in body should match"),
        create(
            "named built-in dataset",
            edit(EVAL, set("/spec/datasets", "[emulated]")),
            "spec.datasets: Invalid value: \"array\": each dataset must be org/dataset[:file], a file or directory path, synthetic text (prompt_tokens=N,output_tokens=N) or a GuideLLM data spec (kind=...); GuideLLM 0.7.3 has no named built-in datasets"),
        create(
            "Hub file of an unreadable type",
            edit(EVAL, set("/spec/datasets", "['org/ds:data/train.txt']")),
            "spec.datasets: Invalid value: \"array\": a file of a Hub dataset (org/dataset:file) must be .jsonl, .json, .csv or .parquet"),
        create(
            "whole Hub dataset without a split",
            edit(EVAL, set("/spec/datasets", "['kind=huggingface,source=org/ds']")),
            "spec.datasets: Invalid value: \"array\": a kind=huggingface dataset needs load_kwargs.split=NAME: GuideLLM cannot benchmark a dataset with several splits"),
        create(
            "evaluation in a training: Hub dataset without a split",
            edit(
                TRAINING,
                set(
                    "/spec/evaluation",
                    "{preset: qwen3-8b, datasets: ['kind=hf,source=org/ds,load_kwargs.name=x']}")),
            "spec.evaluation.datasets: Invalid value: \"array\": a kind=huggingface dataset needs load_kwargs.split=NAME"),
        create(
            "topP of 0",
            edit(EVAL, set("/spec/sampling", "{topP: 0}")),
            "spec.sampling.topP: Invalid value: 0: spec.sampling.topP in body should be greater than 0"));
  }

  static Stream<Arguments> invalidUpdates() {
    return Stream.of(
        update(
            "changed target model",
            DATASET,
            edit(DATASET, set("/spec/targetModel/hfId", "org/other")),
            "spec.targetModel: Invalid value: \"object\": targetModel is immutable"),
        update(
            "changed datasets",
            DATASET,
            edit(DATASET, set("/spec/datasets/0/preset", "ultrachat")),
            "spec.datasets: Invalid value: \"object\": datasets is immutable"),
        update(
            "added optional maxSamples",
            DATASET,
            edit(DATASET, set("/spec/maxSamples", "100")),
            "spec.maxSamples: Invalid value: \"object\": maxSamples is immutable"),
        update(
            "removed optional storage",
            DATASET,
            edit(DATASET, remove("/spec/storage")),
            "spec.storage: Invalid value: \"object\": storage is immutable"),
        update(
            "defaulted field changed",
            DATASET,
            edit(DATASET, set("/spec/sequenceLength", "4096")),
            "spec.sequenceLength: Invalid value: \"object\": sequenceLength is immutable"),
        update(
            "changed draft",
            TRAINING,
            edit(TRAINING, set("/spec/draft/tttSteps", "5")),
            "spec.draft: Invalid value: \"object\": draft is immutable"),
        update(
            "changed dataset ref",
            TRAINING,
            edit(TRAINING, set("/spec/dataset/ref/name", "other")),
            "spec.dataset: Invalid value: \"object\": dataset is immutable"),
        update(
            "changed eval tokens",
            EVAL,
            edit(EVAL, set("/spec/numSpeculativeTokens", "5")),
            "spec.numSpeculativeTokens: Invalid value: \"object\": numSpeculativeTokens is immutable"),
        update(
            "renamed",
            DATASET,
            edit(DATASET, set("/metadata/name", "other")),
            "metadata.name: Invalid value: \"other\": field is immutable"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidCreates")
  void rejectsOnCreate(String name, ObjectNode resource, String expected) {
    AdmissionResult result = VALIDATOR.admitCreate(resource);
    assertThat(result.allowed()).as("admitted: %s", name).isFalse();
    assertThat(messages(result)).anySatisfy(m -> assertThat(m).startsWith(expected));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidUpdates")
  void rejectsOnUpdate(String name, ObjectNode old, ObjectNode resource, String expected) {
    AdmissionResult created = VALIDATOR.admitCreate(old);
    assertThat(created.errors()).as("base must be valid").isEmpty();
    AdmissionResult result = VALIDATOR.admitUpdate(created.object(), resource);
    assertThat(messages(result)).anySatisfy(m -> assertThat(m).startsWith(expected));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidUpdates")
  void transitionRulesDoNotApplyOnCreate(
      String name, ObjectNode old, ObjectNode resource, String expected) {
    if (name.equals("renamed")
        || name.equals("added optional maxSamples")
        || name.equals("removed optional storage")) {
      return; // not a transition rule, or the new object is invalid on its own
    }
    assertThat(messages(VALIDATOR.admitCreate(resource))).isEmpty();
  }

  private static List<String> messages(AdmissionResult r) {
    return r.errors().stream().map(FieldError::toString).toList();
  }

  private static Arguments create(String name, ObjectNode resource, String expected) {
    return Arguments.of(name, resource, expected);
  }

  private static Arguments update(String name, String base, ObjectNode resource, String expected) {
    return Arguments.of(name, TestResources.parse(base), resource, expected);
  }
}
