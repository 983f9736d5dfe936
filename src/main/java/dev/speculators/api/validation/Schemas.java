package dev.speculators.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;

/** Read access to a structural schema (a CRD's {@code openAPIV3Schema} or a node inside it). */
final class Schemas {
  private Schemas() {}

  /**
   * Fields every object with {@code x-kubernetes-embedded-resource} (and the root) has implicitly.
   */
  static final Set<String> IMPLICIT_RESOURCE_FIELDS = Set.of("apiVersion", "kind", "metadata");

  static String type(JsonNode schema) {
    JsonNode t = schema.get("type");
    return t == null ? null : t.asText();
  }

  static JsonNode properties(JsonNode schema) {
    JsonNode p = schema.get("properties");
    return p != null && p.isObject() ? p : null;
  }

  /** The schema of map values, or null when the object is not a map. */
  static JsonNode mapValues(JsonNode schema) {
    JsonNode a = schema.get("additionalProperties");
    return a != null && a.isObject() ? a : null;
  }

  static JsonNode items(JsonNode schema) {
    JsonNode i = schema.get("items");
    return i != null && i.isObject() ? i : null;
  }

  static boolean nullable(JsonNode schema) {
    return schema.path("nullable").asBoolean(false);
  }

  static boolean preservesUnknownFields(JsonNode schema) {
    return schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)
        || schema.path("additionalProperties").asBoolean(false);
  }

  static boolean intOrString(JsonNode schema) {
    return schema.path("x-kubernetes-int-or-string").asBoolean(false);
  }

  static boolean embeddedResource(JsonNode schema) {
    return schema.path("x-kubernetes-embedded-resource").asBoolean(false);
  }

  /** Whether {@code name} is declared in an object schema (or implicitly, for resources). */
  static boolean declares(JsonNode schema, String name, boolean resourceLike) {
    JsonNode props = properties(schema);
    return (props != null && props.has(name))
        || (resourceLike && IMPLICIT_RESOURCE_FIELDS.contains(name));
  }
}
