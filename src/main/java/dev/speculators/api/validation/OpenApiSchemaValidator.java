package dev.speculators.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Validates objects against the OpenAPI v3 schema of one CRD version with networknt's JSON Schema
 * validator, and words its findings like the API server.
 */
final class OpenApiSchemaValidator {
  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4);
  private static final SchemaValidatorsConfig CONFIG =
      SchemaValidatorsConfig.builder()
          .pathType(PathType.JSON_PATH)
          .typeLoose(false)
          .formatAssertionsEnabled(false)
          .build();

  private final ObjectNode translated;
  private final JsonSchema schema;

  OpenApiSchemaValidator(JsonNode openApiV3Schema) {
    this.translated = SchemaTranslator.translateRoot(openApiV3Schema);
    this.schema = FACTORY.getSchema(translated, CONFIG);
  }

  /** The schema as handed to the JSON Schema validator (for diagnostics and tests). */
  JsonNode translatedSchema() {
    return translated;
  }

  List<FieldError> validate(JsonNode object) {
    Set<ValidationMessage> messages = schema.validate(object);
    List<ValidationMessage> sorted = new ArrayList<>(messages);
    sorted.sort(
        Comparator.comparing((ValidationMessage m) -> m.getInstanceLocation().toString())
            .thenComparing(ValidationMessage::getType));
    List<FieldError> errors = new ArrayList<>();
    Set<String> anyOfReported = new HashSet<>();
    for (ValidationMessage m : sorted) {
      String anyOf = anyOfPointer(m);
      if (anyOf == null) {
        errors.add(toFieldError(m));
      } else if (anyOfReported.add(m.getInstanceLocation() + "|" + anyOf)) {
        // the validator reports each failed alternative; the API server reports the anyOf once
        errors.add(
            anyOfError(path(m.getInstanceLocation()), m.getInstanceNode(), translated.at(anyOf)));
      }
    }
    return errors;
  }

  /** The pointer of the innermost anyOf a message comes from, or null. */
  private static String anyOfPointer(ValidationMessage m) {
    String p = pointer(m);
    if (m.getType().equals("anyOf")) {
      return p;
    }
    int i = p.lastIndexOf("/anyOf/");
    return i < 0 ? null : p.substring(0, i + "/anyOf".length());
  }

  private static FieldError anyOfError(String path, JsonNode value, JsonNode anyOf) {
    String where = path.isEmpty() ? "body" : path + " in body";
    String types = typeAlternatives(anyOf);
    if (types != null) {
      String actual = jsonType(value);
      return new FieldError(
          path,
          FieldErrorType.TYPE_INVALID,
          FieldError.quote(actual),
          where + " must be of type " + types + ": " + FieldError.quote(actual));
    }
    return FieldError.of(
        path, FieldErrorType.INVALID, value, where + " must validate at least one schema (anyOf)");
  }

  private FieldError toFieldError(ValidationMessage m) {
    String path = path(m.getInstanceLocation());
    JsonNode value = m.getInstanceNode();
    JsonNode keywordValue = keywordValue(m);
    JsonNode owner = keywordOwner(m);
    String where = path.isEmpty() ? "body" : path + " in body";
    switch (m.getType()) {
      case "required":
        {
          return new FieldError(
              FieldPaths.child(path, m.getProperty()), FieldErrorType.REQUIRED, null, null);
        }
      case "type":
        {
          String actual = jsonType(value);
          return new FieldError(
              path,
              FieldErrorType.TYPE_INVALID,
              FieldError.quote(actual),
              where
                  + " must be of type "
                  + expectedTypes(keywordValue)
                  + ": "
                  + FieldError.quote(actual));
        }
      case "enum":
        {
          StringJoiner supported = new StringJoiner(", ");
          if (keywordValue != null) {
            keywordValue.forEach(v -> supported.add(FieldError.render(v)));
          }
          return FieldError.of(
              path, FieldErrorType.NOT_SUPPORTED, value, "supported values: " + supported);
        }
      case "minimum":
        {
          boolean exclusive = owner != null && owner.path("exclusiveMinimum").asBoolean(false);
          return FieldError.of(
              path,
              FieldErrorType.INVALID,
              value,
              where
                  + " should be greater than "
                  + (exclusive ? "" : "or equal to ")
                  + number(keywordValue));
        }
      case "maximum":
        {
          boolean exclusive = owner != null && owner.path("exclusiveMaximum").asBoolean(false);
          return FieldError.of(
              path,
              FieldErrorType.INVALID,
              value,
              where
                  + " should be less than "
                  + (exclusive ? "" : "or equal to ")
                  + number(keywordValue));
        }
      case "minLength":
        return FieldError.of(
            path,
            FieldErrorType.INVALID,
            value,
            where + " should be at least " + number(keywordValue) + " chars long");
      case "maxLength":
        return new FieldError(
            path, FieldErrorType.TOO_LONG, null, "may not be longer than " + number(keywordValue));
      case "pattern":
        return FieldError.of(
            path,
            FieldErrorType.INVALID,
            value,
            where + " should match '" + (keywordValue == null ? "" : keywordValue.asText()) + "'");
      case "minItems":
        return new FieldError(
            path,
            FieldErrorType.INVALID,
            String.valueOf(value.size()),
            where + " should have at least " + number(keywordValue) + " items");
      case "maxItems":
        return new FieldError(
            path,
            FieldErrorType.TOO_MANY,
            String.valueOf(value.size()),
            "must have at most " + number(keywordValue) + " items");
      case "minProperties":
        return new FieldError(
            path,
            FieldErrorType.INVALID,
            String.valueOf(value.size()),
            where + " should have at least " + number(keywordValue) + " properties");
      case "maxProperties":
        return new FieldError(
            path,
            FieldErrorType.TOO_MANY,
            String.valueOf(value.size()),
            "must have at most " + number(keywordValue) + " items");
      case "uniqueItems":
        return FieldError.of(path, FieldErrorType.DUPLICATE, value, "items must be unique");
      default:
        return FieldError.of(path, FieldErrorType.INVALID, value, m.getMessage());
    }
  }

  /** The value of the failing keyword, found through the message's schema location. */
  private JsonNode keywordValue(ValidationMessage m) {
    JsonNode n = translated.at(pointer(m));
    return n.isMissingNode() ? m.getSchemaNode() : n;
  }

  /** The schema object that holds the failing keyword (for sibling keywords). */
  private JsonNode keywordOwner(ValidationMessage m) {
    String p = pointer(m);
    int slash = p.lastIndexOf('/');
    JsonNode n = slash <= 0 ? translated : translated.at(p.substring(0, slash));
    return n.isMissingNode() ? null : n;
  }

  private static String pointer(ValidationMessage m) {
    String loc = m.getSchemaLocation().toString();
    int hash = loc.indexOf('#');
    return hash >= 0 ? loc.substring(hash + 1) : "";
  }

  /** {@code integer,string} when every alternative of an anyOf is a bare type, else null. */
  private static String typeAlternatives(JsonNode anyOf) {
    if (anyOf == null || !anyOf.isArray()) {
      return null;
    }
    StringJoiner types = new StringJoiner(",");
    for (JsonNode alt : anyOf) {
      if (alt.size() != 1 || !alt.has("type")) {
        return null;
      }
      types.add(alt.get("type").asText());
    }
    return types.toString();
  }

  private static String expectedTypes(JsonNode type) {
    if (type == null) {
      return "unknown";
    }
    if (type.isArray()) {
      StringJoiner j = new StringJoiner(",");
      type.forEach(t -> j.add(t.asText()));
      return j.toString();
    }
    return type.asText();
  }

  private static String number(JsonNode n) {
    if (n == null) {
      return "?";
    }
    double d = n.asDouble();
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : n.asText();
  }

  static String jsonType(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return "null";
    }
    if (v.isObject()) {
      return "object";
    }
    if (v.isArray()) {
      return "array";
    }
    if (v.isTextual()) {
      return "string";
    }
    if (v.isBoolean()) {
      return "boolean";
    }
    if (v.isIntegralNumber()) {
      return "integer";
    }
    return "number";
  }

  /**
   * {@code $.spec.datasets[0].hf} to {@code spec.datasets[0].hf}; map entries in brackets ({@code
   * limits[nvidia.com/gpu]}), as the CEL errors write them.
   */
  private String path(JsonNodePath p) {
    String out = "";
    JsonNode schema = translated;
    for (int i = 0; i < p.getNameCount(); i++) {
      Object el = p.getElement(i);
      if (el instanceof Integer idx) {
        out = FieldPaths.index(out, idx);
        schema = schema == null ? null : Schemas.items(schema);
        continue;
      }
      String name = String.valueOf(el);
      JsonNode props = schema == null ? null : Schemas.properties(schema);
      JsonNode mapValues = schema == null ? null : Schemas.mapValues(schema);
      if (props == null || !props.has(name)) {
        if (mapValues != null) {
          out = FieldPaths.key(out, name);
          schema = mapValues;
          continue;
        }
      }
      out = FieldPaths.child(out, name);
      schema = props == null ? null : props.get(name);
    }
    return out;
  }
}
