package dev.speculators.api.validation;

import static dev.speculators.api.validation.TestResources.DATASET;
import static dev.speculators.api.validation.TestResources.EVAL;
import static dev.speculators.api.validation.TestResources.TRAINING;
import static dev.speculators.api.validation.TestResources.VALIDATOR;
import static dev.speculators.api.validation.TestResources.edit;
import static dev.speculators.api.validation.TestResources.remove;
import static dev.speculators.api.validation.TestResources.set;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Valid edge cases are admitted, defaults are applied, and status is handled like a subresource.
 */
class AdmissionAcceptsTest {

  static Stream<Arguments> validCreates() {
    return Stream.of(
        Arguments.of("smallest layerIds", edit(DATASET, set("/spec/layerIds", "[0, 1]"))),
        Arguments.of(
            "full GPU memory", edit(DATASET, set("/spec/vllm", "{gpuMemoryUtilization: 1}"))),
        Arguments.of("maxSamples equal to shards", edit(DATASET, set("/spec/maxSamples", "4"))),
        Arguments.of("size as an integer", edit(DATASET, set("/spec/storage/size", "1000000000"))),
        Arguments.of(
            "existing claim with subPath",
            edit(DATASET, set("/spec/storage", "{claimName: data, subPath: a/b}"))),
        Arguments.of(
            "model on a PVC",
            edit(DATASET, set("/spec/targetModel", "{pvc: {claimName: models, subPath: llama}}"))),
        Arguments.of(
            "reference engine",
            edit(
                DATASET,
                set("/spec/engine", "reference"),
                set("/spec/targetModel", "{path: models/tiny}"))),
        Arguments.of(
            "volume dataset",
            edit(
                DATASET,
                set(
                    "/spec/datasets/0",
                    "{path: {claimName: data, path: chats/train.jsonl}, maxSamples: 10}"))),
        Arguments.of(
            "unmanaged vLLM flags",
            edit(DATASET, set("/spec/vllm", "{extraArgs: ['--enforce-eager', '--portal-mode']}"))),
        Arguments.of(
            "generateName instead of name",
            edit(DATASET, remove("/metadata/name"), set("/metadata/generateName", "ds-"))),
        Arguments.of(
            "status is ignored on create",
            edit(DATASET, set("/status", "{phase: Bogus, whatever: 1}"))),
        Arguments.of(
            "validationRatio 0", edit(TRAINING, set("/spec/training", "{validationRatio: 0}"))),
        Arguments.of(
            "integer in a number field",
            edit(TRAINING, set("/spec/training", "{learningRate: 1, gradClip: 0}"))),
        Arguments.of(
            "warmupSteps alone", edit(TRAINING, set("/spec/training", "{warmupSteps: 100}"))),
        Arguments.of(
            "full draft vocabulary",
            edit(
                TRAINING,
                set("/spec/dataset", "{path: {path: data}}"),
                set("/spec/targetModel", "{path: tiny, vocabSize: 8192}"))),
        Arguments.of(
            "inline template",
            edit(
                TRAINING,
                set(
                    "/spec/dataset",
                    "{template: {targetModel: {hfId: org/m, vocabSize: 8192}, datasets: [{preset: ultrachat}]}}"))),
        Arguments.of(
            "evaluation with a preset",
            edit(
                TRAINING,
                set("/spec/evaluation", "{preset: llama-3.1-8b}"),
                set("/spec/acceptanceGate", "{minMeanAcceptanceLength: 1.5}"))),
        Arguments.of(
            "evaluation on the CPU",
            edit(
                TRAINING,
                set("/spec/engine", "reference"),
                set("/spec/evaluation", "{engine: reference, datasets: [prompts.jsonl]}"))),
        Arguments.of(
            "preset only",
            edit(
                EVAL,
                remove("/spec/targetModel"),
                remove("/spec/speculator"),
                remove("/spec/datasets"),
                set("/spec/preset", "qwen3-32b"))),
        Arguments.of(
            "trainingRef without target",
            edit(
                EVAL,
                remove("/spec/targetModel"),
                set("/spec/speculator", "{trainingRef: {name: tr}}"))),
        Arguments.of(
            "sweep with a rate", edit(EVAL, set("/spec/guidellm", "{profile: sweep, rate: [10]}"))),
        Arguments.of(
            "throughput with a max concurrency",
            edit(EVAL, set("/spec/guidellm", "{profile: throughput, rate: [128]}"))),
        Arguments.of(
            "several concurrency levels",
            edit(EVAL, set("/spec/guidellm", "{profile: concurrent, rate: [1, 2, 4, 8]}"))),
        Arguments.of(
            "several request rates",
            edit(EVAL, set("/spec/guidellm", "{profile: poisson, rate: [0.5, 2.5, 10]}"))),
        Arguments.of(
            "every kind of dataset",
            edit(
                EVAL,
                set(
                    "/spec/datasets",
                    "['org/ds:data/test.parquet', 'org/ds', '/results/prompts.csv', 'prompts.jsonl',"
                        + " 'prompt_tokens=256,output_tokens=128',"
                        + " 'kind=huggingface,source=org/ds,load_kwargs.split=test',"
                        + " '{\"kind\": \"synthetic_text\", \"prompt_tokens\": 8}']"))),
        Arguments.of(
            "prompt column and tokenizer for data files",
            edit(
                EVAL,
                set(
                    "/spec/datasets",
                    "['org/ds:data/test.parquet', 'prompts.jsonl', 'prompt_tokens_x.csv',"
                        + " 'kind=huggingface,source=org/ds,load_kwargs.split=test']"),
                set("/spec/guidellm", "{textColumn: user question, processor: org/tokenizer}"))),
        Arguments.of(
            "greedy sampling", edit(EVAL, set("/spec/sampling", "{temperature: 0, topK: -1}"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validCreates")
  void admits(String name, ObjectNode resource) {
    assertThat(VALIDATOR.admitCreate(resource).errors()).as(name).isEmpty();
  }

  @Test
  void mutableFieldsMayChange() {
    ObjectNode dataset = VALIDATOR.admitCreate(TestResources.parse(DATASET)).orThrow();
    assertThat(
            VALIDATOR
                .admitUpdate(
                    dataset,
                    edit(
                        DATASET,
                        set("/spec/concurrency", "8"),
                        set("/spec/vllm", "{tensorParallelSize: 2}"),
                        set("/spec/podTemplate", "{nodeSelector: {gpu: h100}}"),
                        set("/spec/queueName", "team-b")))
                .errors())
        .isEmpty();

    ObjectNode training = VALIDATOR.admitCreate(TestResources.parse(TRAINING)).orThrow();
    assertThat(
            VALIDATOR
                .admitUpdate(
                    training,
                    edit(
                        TRAINING,
                        set("/spec/resources", "{gpus: 0}"),
                        set("/spec/evaluation", "{preset: qwen3-8b}"),
                        set("/spec/acceptanceGate", "{minMeanAcceptanceLength: 2}")))
                .errors())
        .isEmpty();

    ObjectNode eval = VALIDATOR.admitCreate(TestResources.parse(EVAL)).orThrow();
    assertThat(VALIDATOR.admitUpdate(eval, edit(EVAL, set("/spec/queueName", "q"))).errors())
        .isEmpty();
  }

  @Test
  void anUnchangedResourceIsAdmittedOnUpdateAndKeepsItsStatus() {
    ObjectNode stored = VALIDATOR.admitCreate(TestResources.parse(DATASET)).orThrow();
    stored.set("status", TestResources.parse("phase: Generating"));
    ObjectNode updated =
        VALIDATOR
            .admitUpdate(stored, edit(DATASET, set("/status", "{phase: Succeeded}")))
            .orThrow();
    assertThat(updated.path("status").path("phase").asText()).isEqualTo("Generating");
  }

  @Test
  void appliesSchemaDefaults() {
    JsonNode t = VALIDATOR.admitCreate(TestResources.parse(TRAINING)).orThrow();
    assertThat(t.at("/spec/engine").asText()).isEqualTo("vllm");
    assertThat(t.at("/spec/draft/draftVocabSize").asInt()).isEqualTo(8192);
    assertThat(t.at("/spec/draft/tttSteps").asInt()).isEqualTo(3);
    assertThat(t.at("/spec/draft/tttInputs").asText()).isEqualTo("draft");
    assertThat(t.at("/spec/training/epochs").asInt()).isEqualTo(10);
    assertThat(t.at("/spec/training/learningRate").asDouble()).isEqualTo(1e-4);
    assertThat(t.at("/spec/training/validationRatio").asDouble()).isEqualTo(0.1);
    assertThat(t.at("/spec/resources/gpus").asInt()).isEqualTo(1);
    assertThat(t.at("/spec/training/warmupSteps").isMissingNode()).isTrue();

    JsonNode d =
        VALIDATOR
            .admitCreate(edit(DATASET, set("/spec/targetModel/tokenSecretRef", "{name: hf}")))
            .orThrow();
    assertThat(d.at("/spec/sequenceLength").asInt()).isEqualTo(8192);
    assertThat(d.at("/spec/concurrency").asInt()).isEqualTo(32);
    assertThat(d.at("/spec/storage/retentionPolicy").asText()).isEqualTo("Retain");
    assertThat(d.at("/spec/targetModel/tokenSecretRef/key").asText()).isEqualTo("token");
    assertThat(d.at("/spec/datasets/0/turnDropout").asBoolean(true)).isFalse();

    JsonNode e = VALIDATOR.admitCreate(TestResources.parse(EVAL)).orThrow();
    assertThat(e.at("/spec/guidellm/profile").asText()).isEqualTo("throughput");
    // preset-covered fields stay unset so that a preset can fill them
    assertThat(e.at("/spec/numSpeculativeTokens").isMissingNode()).isTrue();
    assertThat(e.at("/spec/sampling").isMissingNode()).isTrue();
  }

  @Test
  void nullsOfNonNullableFieldsAreDroppedAndThenDefaulted() {
    JsonNode d = VALIDATOR.admitCreate(edit(DATASET, set("/spec/shards", "null"))).orThrow();
    assertThat(d.at("/spec/shards").asInt()).isEqualTo(1);
  }

  @Test
  void orThrowCarriesEveryError() {
    ObjectNode bad = edit(DATASET, set("/spec/shards", "0"), set("/spec/sequenceLength", "1"));
    assertThatThrownBy(() -> VALIDATOR.admitCreate(bad).orThrow())
        .isInstanceOf(AdmissionException.class)
        .hasMessageContaining("HiddenStateDataset/ds is invalid")
        .hasMessageContaining("spec.shards: Invalid value: 0")
        .hasMessageContaining("spec.sequenceLength: Invalid value: 1")
        .satisfies(ex -> assertThat(((AdmissionException) ex).errors()).hasSize(2));
  }

  @Test
  void theJarCarriesTheSameCrds() {
    ResourceValidator fromJar = ResourceValidator.fromClasspath();
    assertThat(fromJar.knownKinds())
        .containsExactlyInAnyOrderElementsOf(VALIDATOR.knownKinds())
        .hasSize(3);
    assertThat(fromJar.ruleCount()).isEqualTo(VALIDATOR.ruleCount()).isGreaterThan(40);
  }
}
