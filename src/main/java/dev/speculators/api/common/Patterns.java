package dev.speculators.api.common;

/**
 * Regular expressions and CEL fragments used in schema annotations. Patterns must be valid in both
 * the API server's RE2 and Java's regex engine: no look-around, no back references.
 */
public final class Patterns {
  private Patterns() {}

  /** RFC 1123 subdomain: names of PVCs, Secrets, resources. */
  public static final String DNS_SUBDOMAIN =
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  /** A Kubernetes label value (also the Kueue queue name). */
  public static final String LABEL_VALUE = "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$";

  /** A Hugging Face repository id: {@code name} or {@code org/name}. */
  public static final String HF_REPO_ID =
      "^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$";

  /** A Hugging Face dataset with an optional file: {@code org/dataset[:file]}. */
  public static final String HF_DATASET =
      "^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*(:[^:\\s]+)?$";

  /** A git revision, tag or branch name. */
  public static final String REVISION = "^[A-Za-z0-9][A-Za-z0-9._/-]*$";

  /**
   * A Kubernetes resource quantity such as {@code 100Gi} or {@code 1.5}. Written without
   * backslashes so that it can also be embedded in a CEL string literal.
   */
  public static final String QUANTITY =
      "^[+-]?(([0-9]+([.][0-9]*)?)|([.][0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?(([0-9]+([.][0-9]*)?)|([.][0-9]+))))?$";

  /** An extended resource name such as {@code nvidia.com/gpu}. */
  public static final String RESOURCE_NAME =
      "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$";

  /** A Secret data key. */
  public static final String SECRET_KEY = "^[-._a-zA-Z0-9]+$";

  /** CEL: true when the string {@code self} is a relative path that cannot leave its volume. */
  public static final String CEL_CONTAINED_PATH =
      "!self.startsWith('/') && !self.matches('(^|/)[.][.](/|$)')";

  /** CEL: as {@link #CEL_CONTAINED_PATH}, for the {@code path} field of {@code self}. */
  public static final String CEL_CONTAINED_PATH_OF_PATH =
      "!self.path.startsWith('/') && !self.path.matches('(^|/)[.][.](/|$)')";
}
