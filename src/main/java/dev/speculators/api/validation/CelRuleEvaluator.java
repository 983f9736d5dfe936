package dev.speculators.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.runtime.CelEvaluationException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Evaluates every {@code x-kubernetes-validations} rule of a schema against an object, like the API
 * server: a rule runs where its schema node has a value; {@code self} is that value. Transition
 * rules (those that use {@code oldSelf}) run only on update and only where the old object has a
 * value at the same place: object fields and map entries correlate by name, list items only in
 * lists of {@code x-kubernetes-list-type: map} (by their keys).
 */
final class CelRuleEvaluator {
  private final JsonNode rootSchema;
  private final Map<JsonNode, List<CompiledRule>> rules = new IdentityHashMap<>();

  /** Compiles all rules of the schema; a rule that does not compile fails here, with its place. */
  CelRuleEvaluator(JsonNode rootSchema, String crdName) {
    this.rootSchema = rootSchema;
    compileAll(rootSchema, crdName + ":openAPIV3Schema");
  }

  /** Number of compiled rules, for tests and diagnostics. */
  int ruleCount() {
    return rules.values().stream().mapToInt(List::size).sum();
  }

  private void compileAll(JsonNode schema, String where) {
    JsonNode entries = schema.get("x-kubernetes-validations");
    if (entries != null && entries.isArray()) {
      List<CompiledRule> compiled = new ArrayList<>();
      for (int i = 0; i < entries.size(); i++) {
        compiled.add(
            CompiledRule.compile(entries.get(i), where + ".x-kubernetes-validations[" + i + "]"));
      }
      rules.put(schema, compiled);
    }
    JsonNode props = Schemas.properties(schema);
    if (props != null) {
      props
          .fields()
          .forEachRemaining(e -> compileAll(e.getValue(), where + ".properties." + e.getKey()));
    }
    JsonNode mapValues = Schemas.mapValues(schema);
    if (mapValues != null) {
      compileAll(mapValues, where + ".additionalProperties");
    }
    JsonNode items = Schemas.items(schema);
    if (items != null) {
      compileAll(items, where + ".items");
    }
  }

  /** Evaluates all rules; {@code old} is null on create. */
  List<FieldError> evaluate(JsonNode object, JsonNode old) {
    List<FieldError> errors = new ArrayList<>();
    walk(rootSchema, object, old, "", true, errors);
    return errors;
  }

  private void walk(
      JsonNode schema,
      JsonNode value,
      JsonNode old,
      String path,
      boolean root,
      List<FieldError> errors) {
    if (schema == null || value == null || value.isNull() || value.isMissingNode()) {
      return;
    }
    List<CompiledRule> here = rules.get(schema);
    if (here != null) {
      Object self = root ? CelValues.root(schema, value) : CelValues.of(schema, value);
      Object oldSelf =
          old == null ? null : root ? CelValues.root(schema, old) : CelValues.of(schema, old);
      for (CompiledRule rule : here) {
        if (rule.transition && oldSelf == null) {
          continue;
        }
        check(rule, schema, self, oldSelf, path, errors);
      }
    }
    if (value.isObject()) {
      JsonNode props = Schemas.properties(schema);
      JsonNode mapValues = Schemas.mapValues(schema);
      for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String name = e.getKey();
        JsonNode oldChild = old != null && old.isObject() ? old.get(name) : null;
        if (props != null && props.has(name)) {
          walk(
              props.get(name), e.getValue(), oldChild, FieldPaths.child(path, name), false, errors);
        } else if (mapValues != null) {
          walk(mapValues, e.getValue(), oldChild, FieldPaths.key(path, name), false, errors);
        }
      }
    } else if (value.isArray()) {
      JsonNode items = Schemas.items(schema);
      List<String> mapKeys = listMapKeys(schema);
      for (int i = 0; i < value.size(); i++) {
        JsonNode item = value.get(i);
        JsonNode oldItem = mapKeys == null || old == null ? null : findByKeys(old, item, mapKeys);
        walk(items, item, oldItem, FieldPaths.index(path, i), false, errors);
      }
    }
  }

  private static void check(
      CompiledRule rule,
      JsonNode schema,
      Object self,
      Object oldSelf,
      String path,
      List<FieldError> errors) {
    Map<String, Object> vars = new HashMap<>();
    vars.put("self", self);
    if (oldSelf != null) {
      vars.put("oldSelf", oldSelf);
    }
    String type = schemaTypeName(schema);
    Object result;
    try {
      result = rule.program.eval(vars);
    } catch (CelEvaluationException e) {
      errors.add(
          new FieldError(
              path,
              FieldErrorType.INVALID,
              FieldError.quote(type),
              "rule evaluation error: " + e.getMessage() + " evaluating rule: " + rule.rule));
      return;
    }
    if (Boolean.TRUE.equals(result)) {
      return;
    }
    if (!(result instanceof Boolean)) {
      errors.add(
          new FieldError(
              path,
              FieldErrorType.INVALID,
              FieldError.quote(type),
              "rule did not evaluate to a boolean: " + rule.rule));
      return;
    }
    String field = rule.fieldPath == null ? path : FieldPaths.appendRulePath(path, rule.fieldPath);
    String message = message(rule, vars);
    errors.add(new FieldError(field, rule.errorType, FieldError.quote(type), message));
  }

  private static String message(CompiledRule rule, Map<String, Object> vars) {
    if (rule.messageExpression != null) {
      try {
        Object m = rule.messageExpression.eval(vars);
        if (m instanceof String s && !s.isBlank()) {
          return s;
        }
      } catch (CelEvaluationException e) {
        // like the API server: fall back to the static message
      }
    }
    return rule.message != null ? rule.message : "failed rule: " + rule.rule;
  }

  private static String schemaTypeName(JsonNode schema) {
    String t = Schemas.type(schema);
    return t == null ? "" : t;
  }

  private static List<String> listMapKeys(JsonNode schema) {
    if (!"map".equals(schema.path("x-kubernetes-list-type").asText())) {
      return null;
    }
    List<String> keys = new ArrayList<>();
    schema.path("x-kubernetes-list-map-keys").forEach(k -> keys.add(k.asText()));
    return keys.isEmpty() ? null : keys;
  }

  private static JsonNode findByKeys(JsonNode oldList, JsonNode item, List<String> keys) {
    if (!oldList.isArray()) {
      return null;
    }
    for (JsonNode candidate : oldList) {
      boolean match = true;
      for (String k : keys) {
        if (!item.path(k).equals(candidate.path(k))) {
          match = false;
          break;
        }
      }
      if (match) {
        return candidate;
      }
    }
    return null;
  }
}
