package dev.speculators.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts JSON values to CEL values the way the API server types them from the schema: integers
 * are {@code int}, numbers are {@code double} even when written without a fraction, objects and
 * maps are CEL maps of their present fields, int-or-string is an {@code int} or a {@code string}.
 */
final class CelValues {
  private CelValues() {}

  /**
   * The value of the resource root: only {@code metadata.name} and {@code generateName} are
   * visible.
   */
  static Object root(JsonNode schema, JsonNode object) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("metadata")) {
        Map<String, Object> meta = new LinkedHashMap<>();
        for (String f : List.of("name", "generateName")) {
          if (e.getValue().hasNonNull(f)) {
            meta.put(f, e.getValue().get(f).asText());
          }
        }
        out.put("metadata", meta);
      } else {
        JsonNode props = Schemas.properties(schema);
        out.put(e.getKey(), of(props != null ? props.get(e.getKey()) : null, e.getValue()));
      }
    }
    return out;
  }

  /** The CEL value of {@code value} typed by {@code schema} (null schema: untyped). */
  static Object of(JsonNode schema, JsonNode value) {
    if (value == null || value.isNull()) {
      return dev.cel.common.values.NullValue.NULL_VALUE;
    }
    String type = schema == null ? null : Schemas.type(schema);
    if (schema != null && Schemas.intOrString(schema)) {
      return value.isTextual() ? value.asText() : (Object) value.asLong();
    }
    if ("number".equals(type) && value.isNumber()) {
      return value.asDouble();
    }
    if ("integer".equals(type) && value.isNumber()) {
      return value.asLong();
    }
    if (value.isObject()) {
      JsonNode props = schema == null ? null : Schemas.properties(schema);
      JsonNode mapValues = schema == null ? null : Schemas.mapValues(schema);
      Map<String, Object> out = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode child = props != null && props.has(e.getKey()) ? props.get(e.getKey()) : mapValues;
        out.put(e.getKey(), of(child, e.getValue()));
      }
      return out;
    }
    if (value.isArray()) {
      JsonNode items = schema == null ? null : Schemas.items(schema);
      List<Object> out = new ArrayList<>(value.size());
      value.forEach(v -> out.add(of(items, v)));
      return out;
    }
    if (value.isTextual()) {
      return value.asText();
    }
    if (value.isBoolean()) {
      return value.asBoolean();
    }
    if (value.isIntegralNumber()) {
      return value.asLong();
    }
    return value.asDouble();
  }
}
