package dev.speculators.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every list, map and string of the specs is bounded (maxItems, maxProperties, maxLength or an
 * enum), as the API server requires for CEL rules to have a bounded cost. Kubernetes' own types
 * embedded in a spec (affinity, tolerations, env, resources and per-container resources, image pull
 * secrets) are exempt: no rule reads into them.
 */
class CrdBoundsTest {
  private static final Set<String> EMBEDDED_KUBERNETES_TYPES =
      Set.of(
          "affinity", "tolerations", "env", "resources", "containerResources", "imagePullSecrets");

  @Test
  void everyCollectionAndStringOfTheSpecsIsBounded() throws IOException {
    List<String> unbounded = new ArrayList<>();
    for (String name : CrdSyncTest.crdFileNames()) {
      JsonNode crd = new YAMLMapper().readTree(CrdSyncTest.CRDS.resolve(name).toFile());
      JsonNode spec = crd.at("/spec/versions/0/schema/openAPIV3Schema/properties/spec");
      walk(spec, name + ":spec", unbounded);
    }
    assertThat(unbounded).isEmpty();
  }

  private static void walk(JsonNode schema, String path, List<String> unbounded) {
    String type = schema.path("type").asText("");
    boolean intOrString = schema.path("x-kubernetes-int-or-string").asBoolean(false);
    switch (type) {
      case "array" -> {
        if (!schema.has("maxItems")) {
          unbounded.add(path + " (maxItems)");
        }
        walk(schema.path("items"), path + "[]", unbounded);
      }
      case "string" -> {
        if (!schema.has("maxLength") && !schema.has("enum")) {
          unbounded.add(path + " (maxLength)");
        }
      }
      case "object" -> {
        if (schema.has("additionalProperties")) {
          if (!schema.has("maxProperties")) {
            unbounded.add(path + " (maxProperties)");
          }
          walk(schema.path("additionalProperties"), path + "{}", unbounded);
        }
        schema
            .path("properties")
            .fields()
            .forEachRemaining(
                e -> {
                  if (!EMBEDDED_KUBERNETES_TYPES.contains(e.getKey())) {
                    walk(e.getValue(), path + "." + e.getKey(), unbounded);
                  }
                });
      }
      default -> {
        if (intOrString && !schema.has("maxLength") && !schema.has("x-kubernetes-validations")) {
          unbounded.add(path + " (int-or-string without a rule)");
        }
      }
    }
  }
}
