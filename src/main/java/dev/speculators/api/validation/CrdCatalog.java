package dev.speculators.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The served kinds of a set of CustomResourceDefinitions, by {@code apiVersion} and kind. */
final class CrdCatalog {
  private final Map<String, ServedKind> byApiVersionAndKind = new LinkedHashMap<>();

  CrdCatalog(List<JsonNode> crds) {
    for (JsonNode crd : crds) {
      add(crd);
    }
  }

  private void add(JsonNode crd) {
    if (!"CustomResourceDefinition".equals(crd.path("kind").asText())) {
      throw new IllegalArgumentException(
          "not a CustomResourceDefinition: kind " + crd.path("kind").asText("<none>"));
    }
    String name = crd.path("metadata").path("name").asText();
    JsonNode spec = crd.path("spec");
    String group = spec.path("group").asText();
    String kind = spec.path("names").path("kind").asText();
    for (JsonNode v : spec.path("versions")) {
      if (!v.path("served").asBoolean(true)) {
        continue;
      }
      JsonNode schema = v.path("schema").path("openAPIV3Schema");
      if (!schema.isObject()) {
        throw new IllegalArgumentException(
            name + " version " + v.path("name").asText() + " has no openAPIV3Schema");
      }
      boolean status = v.path("subresources").has("status");
      ServedKind served =
          new ServedKind(name, group, v.path("name").asText(), kind, schema, status);
      byApiVersionAndKind.put(served.apiVersion() + "|" + kind, served);
    }
  }

  Optional<ServedKind> find(String apiVersion, String kind) {
    return Optional.ofNullable(byApiVersionAndKind.get(apiVersion + "|" + kind));
  }

  /** {@code Kind (apiVersion)} of every served kind, sorted. */
  Set<String> describe() {
    Set<String> out = new TreeSet<>();
    byApiVersionAndKind.values().forEach(s -> out.add(s.kind + " (" + s.apiVersion() + ")"));
    return out;
  }

  int ruleCount() {
    return byApiVersionAndKind.values().stream().mapToInt(s -> s.cel.ruleCount()).sum();
  }
}
