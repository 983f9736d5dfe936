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
 * Every field of the three resources is documented: its description is what kubectl explain shows.
 */
class CrdDescriptionsTest {
  /** Kubernetes' own types inside the specs and status: their fields are documented upstream. */
  private static final Set<String> KUBERNETES_TYPES =
      Set.of("affinity", "tolerations", "env", "resources", "imagePullSecrets", "conditions");

  @Test
  void everyFieldHasADescription() throws IOException {
    List<String> undocumented = new ArrayList<>();
    for (String name : CrdSyncTest.crdFileNames()) {
      JsonNode root =
          new YAMLMapper()
              .readTree(CrdSyncTest.CRDS.resolve(name).toFile())
              .at("/spec/versions/0/schema/openAPIV3Schema/properties");
      for (String part : List.of("spec", "status")) {
        walk(root.path(part), name + ":" + part, undocumented);
      }
    }
    assertThat(undocumented).isEmpty();
  }

  private static void walk(JsonNode schema, String path, List<String> undocumented) {
    schema
        .path("properties")
        .fields()
        .forEachRemaining(
            e -> {
              String p = path + "." + e.getKey();
              if (!e.getValue().hasNonNull("description")
                  || e.getValue().get("description").asText().isBlank()) {
                undocumented.add(p);
              }
              if (!KUBERNETES_TYPES.contains(e.getKey())) {
                walk(e.getValue(), p, undocumented);
                walk(e.getValue().path("items"), p + "[]", undocumented);
              }
            });
  }
}
