package dev.speculators.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.CelValidationException;
import dev.cel.runtime.CelRuntime;

/** One {@code x-kubernetes-validations} entry, compiled. */
final class CompiledRule {
  final String rule;
  final CelRuntime.Program program;
  final boolean transition;
  final String message;
  final CelRuntime.Program messageExpression;
  final FieldErrorType errorType;
  final String fieldPath;

  private CompiledRule(
      String rule,
      CelRuntime.Program program,
      boolean transition,
      String message,
      CelRuntime.Program messageExpression,
      FieldErrorType errorType,
      String fieldPath) {
    this.rule = rule;
    this.program = program;
    this.transition = transition;
    this.message = message;
    this.messageExpression = messageExpression;
    this.errorType = errorType;
    this.fieldPath = fieldPath;
  }

  /** Compiles one entry; {@code where} names its place in the CRD for error messages. */
  static CompiledRule compile(JsonNode entry, String where) {
    String rule = entry.path("rule").asText(null);
    if (rule == null || rule.isBlank()) {
      throw new IllegalArgumentException(where + ": x-kubernetes-validations entry without rule");
    }
    if (entry.path("optionalOldSelf").asBoolean(false)) {
      throw new IllegalArgumentException(
          where + ": optionalOldSelf is not supported by this validator: " + rule);
    }
    try {
      CelRuntime.Program program = CelEnvironment.compile(rule);
      boolean transition = CelEnvironment.refersToOldSelf(rule);
      String msgExprText = entry.path("messageExpression").asText(null);
      CelRuntime.Program msgExpr = msgExprText == null ? null : CelEnvironment.compile(msgExprText);
      return new CompiledRule(
          rule,
          program,
          transition,
          entry.path("message").asText(null),
          msgExpr,
          errorType(entry.path("reason").asText("FieldValueInvalid"), where),
          entry.path("fieldPath").asText(null));
    } catch (CelValidationException e) {
      throw new IllegalArgumentException(
          where + ": invalid CEL rule " + rule + ": " + e.getMessage(), e);
    }
  }

  private static FieldErrorType errorType(String reason, String where) {
    return switch (reason) {
      case "FieldValueInvalid" -> FieldErrorType.INVALID;
      case "FieldValueForbidden" -> FieldErrorType.FORBIDDEN;
      case "FieldValueRequired" -> FieldErrorType.REQUIRED;
      case "FieldValueDuplicate" -> FieldErrorType.DUPLICATE;
      default -> throw new IllegalArgumentException(where + ": unknown rule reason " + reason);
    };
  }
}
