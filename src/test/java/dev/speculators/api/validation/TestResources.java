package dev.speculators.api.validation;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/** Valid base resources of each kind, and edits that derive test cases from them. */
final class TestResources {
  private static final YAMLMapper YAML = new YAMLMapper();

  /** The validator for the committed CRDs (the same files the jar carries). */
  static final ResourceValidator VALIDATOR = ResourceValidator.fromDirectory(Path.of("crds"));

  static final String DATASET =
      """
      apiVersion: speculators.dev/v1alpha1
      kind: HiddenStateDataset
      metadata:
        name: ds
        namespace: team-a
      spec:
        targetModel:
          hfId: meta-llama/Llama-3.1-8B-Instruct
          vocabSize: 128256
        datasets:
          - preset: sharegpt
        shards: 4
        storage:
          size: 100Gi
      """;

  static final String TRAINING =
      """
      apiVersion: speculators.dev/v1alpha1
      kind: SpeculatorTraining
      metadata:
        name: tr
        namespace: team-a
      spec:
        dataset:
          ref:
            name: ds
        draft:
          draftVocabSize: 8192
      """;

  static final String EVAL =
      """
      apiVersion: speculators.dev/v1alpha1
      kind: SpeculatorEval
      metadata:
        name: ev
        namespace: team-a
      spec:
        targetModel:
          hfId: Qwen/Qwen3-8B
        speculator:
          hfId: RedHatAI/Qwen3-8B-speculator.eagle3
        datasets:
          - RedHatAI/speculator_benchmarks:math_reasoning.jsonl
      """;

  private TestResources() {}

  static ObjectNode parse(String yaml) {
    try {
      return (ObjectNode) YAML.readTree(yaml);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sets the value at a JSON pointer (parents are created); the value is YAML. */
  static UnaryOperator<ObjectNode> set(String pointer, String yamlValue) {
    return o -> {
      JsonPointer p = JsonPointer.compile(pointer);
      JsonNode existing = o.at(p.head());
      JsonNode parent = existing.isContainerNode() ? existing : o.withObject(p.head());
      String last = p.last().getMatchingProperty();
      JsonNode value = parse("v: " + yamlValue).get("v");
      if (parent instanceof ArrayNode arr) {
        arr.set(Integer.parseInt(last), value);
      } else {
        ((ObjectNode) parent).set(last, value);
      }
      return o;
    };
  }

  /** Removes the value at a JSON pointer. */
  static UnaryOperator<ObjectNode> remove(String pointer) {
    return o -> {
      JsonPointer p = JsonPointer.compile(pointer);
      ((ObjectNode) o.at(p.head())).remove(p.last().getMatchingProperty());
      return o;
    };
  }

  /** Applies edits in order to a fresh copy of {@code base}. */
  @SafeVarargs
  static ObjectNode edit(String base, UnaryOperator<ObjectNode>... edits) {
    ObjectNode o = parse(base);
    for (UnaryOperator<ObjectNode> e : edits) {
      o = e.apply(o);
    }
    return o;
  }
}
