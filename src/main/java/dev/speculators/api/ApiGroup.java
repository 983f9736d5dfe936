package dev.speculators.api;

/** Names shared by the three resources. */
public final class ApiGroup {
  private ApiGroup() {}

  /** API group of the resources. */
  public static final String GROUP = "speculators.dev";

  /** The served and stored version. */
  public static final String VERSION = "v1alpha1";

  /** {@code apiVersion} of the resources. */
  public static final String API_VERSION = GROUP + "/" + VERSION;

  /** The category: {@code kubectl get speculators} lists all three kinds. */
  public static final String CATEGORY = "speculators";
}
