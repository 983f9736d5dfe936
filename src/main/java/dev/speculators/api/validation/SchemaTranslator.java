package dev.speculators.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Turns a Kubernetes structural schema into a plain JSON Schema (draft 4, which OpenAPI v3 schemas
 * follow) that a standard validator understands:
 *
 * <ul>
 *   <li>{@code nullable: true} allows {@code null} next to the declared type;
 *   <li>{@code x-kubernetes-int-or-string} becomes {@code anyOf: [integer, string]} when the CRD
 *       does not spell the alternatives out;
 *   <li>{@code x-kubernetes-embedded-resource} declares (and requires) {@code apiVersion} and
 *       {@code kind}, and declares {@code metadata};
 *   <li>the root declares {@code apiVersion}, {@code kind} and {@code metadata} like every
 *       resource;
 *   <li>Kubernetes-only keywords ({@code x-kubernetes-*}, {@code default}) are removed: they are
 *       handled by {@link Defaulter}, {@link UnknownFields} and {@link CelRuleEvaluator}.
 * </ul>
 *
 * Unknown fields are not rejected here ({@code x-kubernetes-preserve-unknown-fields} needs no
 * translation); {@link UnknownFields} reports them with the API server's wording.
 */
final class SchemaTranslator {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private SchemaTranslator() {}

  /** A translated deep copy of a CRD version's {@code openAPIV3Schema}. */
  static ObjectNode translateRoot(JsonNode openApiV3Schema) {
    ObjectNode root = translate(openApiV3Schema);
    declareResourceFields(root, false);
    return root;
  }

  private static ObjectNode translate(JsonNode schema) {
    ObjectNode out = F.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = schema.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      JsonNode v = e.getValue();
      if (key.startsWith("x-kubernetes-") || key.equals("default") || key.equals("nullable")) {
        continue;
      }
      switch (key) {
        case "properties" -> {
          ObjectNode props = out.putObject("properties");
          v.fields().forEachRemaining(p -> props.set(p.getKey(), translate(p.getValue())));
        }
        case "items", "additionalProperties", "not" ->
            out.set(key, v.isObject() ? translate(v) : v);
        case "allOf", "anyOf", "oneOf" -> {
          ArrayNode arr = out.putArray(key);
          v.forEach(s -> arr.add(translate(s)));
        }
        default -> out.set(key, v.deepCopy());
      }
    }
    if (Schemas.nullable(schema) && out.has("type")) {
      ArrayNode types = F.arrayNode().add(out.get("type").asText()).add("null");
      out.set("type", types);
    }
    if (Schemas.intOrString(schema) && !out.has("anyOf") && !out.has("type")) {
      out.putArray("anyOf")
          .add(F.objectNode().put("type", "integer"))
          .add(F.objectNode().put("type", "string"));
    }
    if (Schemas.embeddedResource(schema)) {
      declareResourceFields(out, true);
    }
    return out;
  }

  private static void declareResourceFields(ObjectNode schema, boolean requireTypeMeta) {
    ObjectNode props =
        schema.has("properties")
            ? (ObjectNode) schema.get("properties")
            : schema.putObject("properties");
    if (!props.has("apiVersion")) {
      props.putObject("apiVersion").put("type", "string");
    }
    if (!props.has("kind")) {
      props.putObject("kind").put("type", "string");
    }
    if (!props.has("metadata")) {
      props.putObject("metadata").put("type", "object");
    }
    if (requireTypeMeta) {
      List<String> required = new ArrayList<>();
      schema.path("required").forEach(r -> required.add(r.asText()));
      for (String f : List.of("apiVersion", "kind")) {
        if (!required.contains(f)) {
          required.add(f);
        }
      }
      ArrayNode arr = schema.putArray("required");
      required.forEach(arr::add);
    }
  }
}
