package dev.speculators.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.regex.Pattern;

/** The checks the API server makes on {@code metadata} of every custom resource. */
final class ObjectMetaChecks {
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  private ObjectMetaChecks() {}

  static void check(JsonNode object, JsonNode old, List<FieldError> errors) {
    JsonNode meta = object.get("metadata");
    if (meta == null || meta.isNull()) {
      errors.add(
          new FieldError(
              "metadata.name", FieldErrorType.REQUIRED, null, "name or generateName is required"));
      return;
    }
    if (!meta.isObject()) {
      errors.add(
          FieldError.of(
              "metadata", FieldErrorType.TYPE_INVALID, meta, "metadata must be an object"));
      return;
    }
    JsonNode name = meta.get("name");
    if (name == null || name.asText().isEmpty()) {
      if (old != null || !meta.hasNonNull("generateName")) {
        errors.add(
            new FieldError(
                "metadata.name",
                FieldErrorType.REQUIRED,
                null,
                "name or generateName is required"));
      }
    } else {
      checkSubdomain("metadata.name", name, errors);
    }
    JsonNode ns = meta.get("namespace");
    if (ns != null && !ns.isNull()) {
      String s = ns.asText();
      if (!ns.isTextual() || s.length() > 63 || !DNS_LABEL.matcher(s).matches()) {
        errors.add(
            FieldError.of(
                "metadata.namespace",
                FieldErrorType.INVALID,
                ns,
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or"
                    + " '-', and must start and end with an alphanumeric character (e.g. 'my-name',"
                    + " or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"));
      }
    }
    if (old != null) {
      for (String f : List.of("name", "namespace")) {
        JsonNode now = meta.path(f);
        JsonNode before = old.path("metadata").path(f);
        if (!now.equals(before)) {
          errors.add(
              FieldError.of("metadata." + f, FieldErrorType.INVALID, now, "field is immutable"));
        }
      }
    }
  }

  private static void checkSubdomain(String field, JsonNode value, List<FieldError> errors) {
    String s = value.asText();
    if (!value.isTextual() || s.length() > 253 || !DNS_SUBDOMAIN.matcher(s).matches()) {
      errors.add(
          FieldError.of(
              field,
              FieldErrorType.INVALID,
              value,
              "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-'"
                  + " or '.', and must start and end with an alphanumeric character (e.g."
                  + " 'example.com', regex used for validation is"
                  + " '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
    }
  }
}
