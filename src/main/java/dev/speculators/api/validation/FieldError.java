package dev.speculators.api.validation;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One admission error, rendered like the API server does: {@code spec.draft.tttSteps: Invalid
 * value: 11: spec.draft.tttSteps in body should be less than or equal to 10}.
 *
 * @param field the field path, e.g. {@code spec.datasets[0].hf}; empty for the whole object
 * @param type what is wrong
 * @param value the offending value as rendered in the message, or null
 * @param detail the explanation, or null
 */
public record FieldError(String field, FieldErrorType type, String value, String detail) {

  /** An error whose value is a JSON node (rendered as the API server renders Go values). */
  public static FieldError of(String field, FieldErrorType type, JsonNode value, String detail) {
    return new FieldError(field, type, render(value), detail);
  }

  /** Renders a JSON value: strings quoted, numbers and booleans plain, containers by type. */
  public static String render(JsonNode value) {
    if (value == null || value.isMissingNode() || value.isNull()) {
      return "null";
    }
    if (value.isTextual()) {
      return quote(value.asText());
    }
    if (value.isObject()) {
      return "\"object\"";
    }
    if (value.isArray()) {
      return "\"array\"";
    }
    return value.asText();
  }

  /** A double-quoted string with the escapes a reader needs. */
  public static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        default -> b.append(c);
      }
    }
    return b.append('"').toString();
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(field.isEmpty() ? "<nil>" : field).append(": ");
    b.append(type.label());
    if (type.showsValue() && value != null) {
      b.append(": ").append(value);
    }
    if (detail != null && !detail.isEmpty()) {
      b.append(": ").append(detail);
    }
    return b.toString();
  }
}
