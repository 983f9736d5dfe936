package dev.speculators.api.validation;

/** Kinds of field errors, rendered with the API server's wording. */
public enum FieldErrorType {
  REQUIRED("Required value", false),
  INVALID("Invalid value", true),
  /** A value of the wrong JSON type; blocks CEL evaluation like in the API server. */
  TYPE_INVALID("Invalid value", true),
  NOT_SUPPORTED("Unsupported value", true),
  DUPLICATE("Duplicate value", true),
  TOO_LONG("Too long", false),
  TOO_MANY("Too many", true),
  FORBIDDEN("Forbidden", false),
  /** A field the schema does not declare (strict field validation, as {@code kubectl} asks for). */
  UNKNOWN_FIELD("Unknown field", false),
  INTERNAL("Internal error", false);

  private final String label;
  private final boolean showsValue;

  FieldErrorType(String label, boolean showsValue) {
    this.label = label;
    this.showsValue = showsValue;
  }

  /** The phrase the API server uses, e.g. {@code Invalid value}. */
  public String label() {
    return label;
  }

  /** Whether the rendered error includes the offending value. */
  public boolean showsValue() {
    return showsValue;
  }

  /**
   * Errors after which CEL rules are not evaluated (the object does not have the declared shape).
   */
  public boolean blocksCel() {
    return this == TYPE_INVALID || this == NOT_SUPPORTED;
  }
}
