package dev.speculators.api.validation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Outcome of admitting one resource.
 *
 * @param resource {@code Kind/name} of the resource
 * @param object the object as the API server would store it (defaulted, status handled like the
 *     status subresource does); present even when rejected, for diagnostics
 * @param errors empty when admitted
 */
public record AdmissionResult(String resource, ObjectNode object, List<FieldError> errors) {

  public AdmissionResult {
    errors = List.copyOf(errors);
  }

  /** True when the resource was admitted. */
  public boolean allowed() {
    return errors.isEmpty();
  }

  /** The admitted object, or an {@link AdmissionException} with all errors. */
  public ObjectNode orThrow() {
    if (!allowed()) {
      throw new AdmissionException(resource, errors);
    }
    return object;
  }
}
