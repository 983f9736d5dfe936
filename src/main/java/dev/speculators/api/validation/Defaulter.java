package dev.speculators.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Structural defaulting as the API server does it before validation: nulls of non-nullable fields
 * are dropped, then every absent property with a {@code default} gets a copy of it, recursively (so
 * the default value itself is defaulted too). Defaults of a nested object apply only when that
 * object is present.
 */
final class Defaulter {
  private Defaulter() {}

  /** Defaults {@code object} in place. */
  static void apply(JsonNode schema, JsonNode object) {
    walk(schema, object);
  }

  private static void walk(JsonNode schema, JsonNode value) {
    if (schema == null || value == null) {
      return;
    }
    if (value instanceof ObjectNode obj) {
      JsonNode props = Schemas.properties(schema);
      JsonNode mapValues = Schemas.mapValues(schema);
      dropNonNullableNulls(obj, props, mapValues);
      if (props != null) {
        for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> p = it.next();
          JsonNode dflt = p.getValue().get("default");
          if (dflt != null && !obj.has(p.getKey())) {
            obj.set(p.getKey(), dflt.deepCopy());
          }
        }
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (props != null && props.has(e.getKey())) {
          walk(props.get(e.getKey()), e.getValue());
        } else if (mapValues != null) {
          walk(mapValues, e.getValue());
        }
      }
    } else if (value instanceof ArrayNode arr) {
      JsonNode items = Schemas.items(schema);
      for (JsonNode item : arr) {
        walk(items, item);
      }
    }
  }

  private static void dropNonNullableNulls(ObjectNode obj, JsonNode props, JsonNode mapValues) {
    List<String> drop = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isNull()) {
        continue;
      }
      JsonNode schema = props != null && props.has(e.getKey()) ? props.get(e.getKey()) : mapValues;
      if (schema != null && !Schemas.nullable(schema)) {
        drop.add(e.getKey());
      }
    }
    drop.forEach(obj::remove);
  }
}
