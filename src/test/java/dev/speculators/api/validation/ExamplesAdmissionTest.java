package dev.speculators.api.validation;

import static dev.speculators.api.validation.TestResources.VALIDATOR;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.api.SpeculatorEval;
import dev.speculators.api.SpeculatorTraining;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.zjsonpatch.JsonDiff;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every resource in every YAML file under {@code examples/} (recursively, all documents) is
 * admitted, and its admitted form maps onto the Java API classes without loss.
 */
class ExamplesAdmissionTest {
  private static final Path EXAMPLES = Path.of("examples");
  private static final Map<String, Class<? extends HasMetadata>> CLASSES =
      Map.of(
          "HiddenStateDataset", HiddenStateDataset.class,
          "SpeculatorTraining", SpeculatorTraining.class,
          "SpeculatorEval", SpeculatorEval.class);
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  @TestFactory
  Stream<DynamicTest> everyExampleIsAdmitted() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path file : exampleFiles()) {
      for (ResourceDocuments.Document doc : ResourceDocuments.read(file)) {
        tests.add(
            DynamicTest.dynamicTest(
                doc.location(),
                () -> {
                  AdmissionResult result = VALIDATOR.admitCreate(doc.node());
                  assertThat(result.errors()).as(doc.location()).isEmpty();
                  Class<? extends HasMetadata> type = CLASSES.get(doc.node().path("kind").asText());
                  assertThat(type).as("kind of %s", doc.location()).isNotNull();
                  HasMetadata typed = SERIALIZATION.convertValue(result.object(), type);
                  // what the Java classes hold serialises back to the admitted object (no field is
                  // lost)
                  JsonNode back = SERIALIZATION.convertValue(typed, JsonNode.class);
                  assertThat(JsonDiff.asJson(numbersByValue(result.object()), numbersByValue(back)))
                      .as("differences after a round trip through the Java classes")
                      .isEmpty();
                }));
      }
    }
    return tests.stream();
  }

  @Test
  void thereAreExamplesOfEveryKind() throws IOException {
    List<String> kinds = new ArrayList<>();
    for (Path file : exampleFiles()) {
      ResourceDocuments.read(file).forEach(d -> kinds.add(d.node().path("kind").asText()));
    }
    assertThat(kinds).contains("HiddenStateDataset", "SpeculatorTraining", "SpeculatorEval");
  }

  /** A copy in which 1, 1L and 1.0 are the same node: JSON has one number type. */
  static JsonNode numbersByValue(JsonNode n) {
    if (n.isNumber()) {
      return JsonNodeFactory.instance.numberNode(n.decimalValue().stripTrailingZeros());
    }
    if (n.isObject()) {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      n.fields().forEachRemaining(e -> o.set(e.getKey(), numbersByValue(e.getValue())));
      return o;
    }
    if (n.isArray()) {
      ArrayNode a = JsonNodeFactory.instance.arrayNode();
      n.forEach(x -> a.add(numbersByValue(x)));
      return a;
    }
    return n;
  }

  static List<Path> exampleFiles() throws IOException {
    try (Stream<Path> s = Files.walk(EXAMPLES)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .sorted()
          .toList();
    }
  }
}
