package dev.speculators.operator.metrics;

import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * A bounded label for a reconciliation error: the API server's status reason (Conflict, Forbidden,
 * NotFound, Invalid, ...) or its HTTP code, else the exception's type. Messages never become
 * labels: they hold names and would make the series unbounded.
 */
public final class ErrorReasons {
  private ErrorReasons() {}

  /** The reason label for {@code error}. */
  public static String of(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof KubernetesClientException k) {
        if (k.getStatus() != null
            && k.getStatus().getReason() != null
            && !k.getStatus().getReason().isBlank()) {
          return k.getStatus().getReason();
        }
        return k.getCode() > 0 ? "HTTP" + k.getCode() : "ApiUnreachable";
      }
    }
    return error == null ? "Unknown" : error.getClass().getSimpleName();
  }
}
