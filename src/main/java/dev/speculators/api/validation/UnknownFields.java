package dev.speculators.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Finds fields the schema does not declare. The API server prunes them silently unless the client
 * asks for strict field validation, which {@code kubectl} does by default; a typo in a field name
 * is therefore an error here too.
 */
final class UnknownFields {
  private UnknownFields() {}

  /**
   * Checks the whole object; {@code apiVersion}, {@code kind} and {@code metadata} are implicit.
   */
  static void check(JsonNode rootSchema, JsonNode object, List<FieldError> errors) {
    walk(rootSchema, object, "", true, errors);
  }

  private static void walk(
      JsonNode schema, JsonNode value, String path, boolean resourceLike, List<FieldError> errors) {
    if (value == null || value.isNull() || schema == null) {
      return;
    }
    if (value.isObject()) {
      JsonNode mapValues = Schemas.mapValues(schema);
      JsonNode props = Schemas.properties(schema);
      boolean open = Schemas.preservesUnknownFields(schema);
      for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String name = e.getKey();
        if (resourceLike
            && Schemas.IMPLICIT_RESOURCE_FIELDS.contains(name)
            && (props == null || !props.has(name))) {
          continue; // metadata is validated separately; apiVersion/kind are plain strings
        }
        if (props != null && props.has(name)) {
          JsonNode child = props.get(name);
          walk(
              child,
              e.getValue(),
              FieldPaths.child(path, name),
              Schemas.embeddedResource(child),
              errors);
        } else if (mapValues != null) {
          walk(
              mapValues,
              e.getValue(),
              FieldPaths.key(path, name),
              Schemas.embeddedResource(mapValues),
              errors);
        } else if (!open) {
          errors.add(
              new FieldError(
                  FieldPaths.child(path, name),
                  FieldErrorType.UNKNOWN_FIELD,
                  null,
                  "field not declared in schema"));
        }
      }
    } else if (value.isArray()) {
      JsonNode items = Schemas.items(schema);
      for (int i = 0; i < value.size(); i++) {
        walk(
            items,
            value.get(i),
            FieldPaths.index(path, i),
            items != null && Schemas.embeddedResource(items),
            errors);
      }
    }
  }
}
