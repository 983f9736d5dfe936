package dev.speculators.api.validation;

import java.util.List;
import java.util.stream.Collectors;

/** A resource was rejected; carries every error, one per line in the message. */
public final class AdmissionException extends RuntimeException {
  private final String resource;
  private final List<FieldError> errors;

  public AdmissionException(String resource, List<FieldError> errors) {
    super(format(resource, errors));
    this.resource = resource;
    this.errors = List.copyOf(errors);
  }

  /** {@code Kind/name} of the rejected resource, as far as it is known. */
  public String resource() {
    return resource;
  }

  /** All errors, schema errors first, then CEL rule errors. */
  public List<FieldError> errors() {
    return errors;
  }

  private static String format(String resource, List<FieldError> errors) {
    return resource
        + " is invalid:\n"
        + errors.stream().map(e -> "  " + e).collect(Collectors.joining("\n"));
  }
}
