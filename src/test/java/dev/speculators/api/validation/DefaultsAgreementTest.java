package dev.speculators.api.validation;

import static dev.speculators.api.validation.ExamplesAdmissionTest.numbersByValue;
import static dev.speculators.api.validation.TestResources.DATASET;
import static dev.speculators.api.validation.TestResources.EVAL;
import static dev.speculators.api.validation.TestResources.TRAINING;
import static dev.speculators.api.validation.TestResources.VALIDATOR;
import static dev.speculators.api.validation.TestResources.edit;
import static dev.speculators.api.validation.TestResources.set;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.api.SpeculatorEval;
import dev.speculators.api.SpeculatorTraining;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.zjsonpatch.JsonDiff;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Java field initializers and the CRD's {@code default:} values agree: an object read by the
 * operator from a server that does not default (such as a test server) holds the same values as one
 * a real API server defaulted.
 */
class DefaultsAgreementTest {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  static Stream<Arguments> resources() {
    return Stream.of(
        Arguments.of(
            HiddenStateDataset.class,
            edit(
                DATASET,
                set("/spec/targetModel/tokenSecretRef", "{name: hf}"),
                set("/spec/podTemplate", "{}"),
                set("/spec/datasets", "[{preset: sharegpt}, {path: {path: a.jsonl}}]"))),
        Arguments.of(SpeculatorTraining.class, TestResources.parse(TRAINING)),
        Arguments.of(
            SpeculatorTraining.class,
            edit(
                TRAINING,
                set(
                    "/spec/dataset",
                    "{template: {targetModel: {hfId: org/m}, datasets: [{hf: org/d}], storage: {size: 1Gi}}}"),
                set("/spec/evaluation", "{preset: qwen3-8b, podTemplate: {}}"))),
        Arguments.of(
            SpeculatorEval.class, edit(EVAL, set("/spec/storage", "{claimName: results}"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("resources")
  void javaInitializersEqualSchemaDefaults(Class<? extends HasMetadata> type, ObjectNode resource) {
    JsonNode bySchema = VALIDATOR.admitCreate(resource).orThrow();
    HasMetadata byJava = SERIALIZATION.convertValue(resource, type);
    JsonNode javaJson = SERIALIZATION.convertValue(byJava, JsonNode.class);
    assertThat(JsonDiff.asJson(numbersByValue(bySchema), numbersByValue(javaJson))).isEmpty();
  }
}
