package dev.speculators.cli;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.logging.LoggingFilter;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Start-up errors of the {@code operator} command: one line that says what keeps the operator from
 * starting and what to check, instead of the stack traces of every library on the way. The traces
 * stay available with {@code --verbose}.
 */
public final class OperatorStartup {
  private static final Pattern RESOURCE =
      Pattern.compile("informer for ([a-z0-9.-]+/[a-z0-9.-]+) resources");

  private static volatile boolean started;

  private OperatorStartup() {}

  static boolean isStarted() {
    return started;
  }

  /** The runtime is up: from now on errors are logged with their traces as usual. */
  static void started() {
    started = true;
  }

  /** What kept the operator from starting, and what to do about it, in one line. */
  static String describe(Throwable failure) {
    String resource = resource(failure);
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ConnectException
          || t instanceof UnknownHostException
          || t instanceof NoRouteToHostException
          || t instanceof SocketTimeoutException) {
        return "cannot reach the Kubernetes API server: "
            + CliErrors.oneLine(String.valueOf(t.getMessage()))
            + "; check the current kube context (KUBECONFIG, KUBERNETES_MASTER), or in a pod the"
            + " network to the API server";
      }
      if (t instanceof KubernetesClientException k && k.getCode() > 0) {
        String what = resource != null ? resource : "the operator's resources";
        String answer = " (HTTP " + k.getCode() + ": " + CliErrors.oneLine(k.getMessage()) + ")";
        return switch (k.getCode()) {
          case 401 ->
              "the Kubernetes API server rejected the credentials"
                  + answer
                  + "; check the kube context or the pod's service account token";
          case 403 ->
              "the operator's account may not list and watch "
                  + what
                  + answer
                  + "; install the RBAC of manifests/ (kubectl apply -k manifests/)";
          case 404 ->
              "the Kubernetes API server does not serve "
                  + what
                  + answer
                  + "; install the CRDs first (kubectl apply -k manifests/, or crds/)";
          default -> "the Kubernetes API server refused to serve " + what + answer;
        };
      }
    }
    return "failed to start: " + CliErrors.describe(failure);
  }

  /** The resource whose informer failed, from the operator SDK's message, if it names one. */
  private static String resource(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t.getMessage() != null) {
        Matcher m = RESOURCE.matcher(t.getMessage());
        if (m.find()) {
          return m.group(1);
        }
      }
    }
    return null;
  }

  /**
   * Until the runtime has started, log records keep their message but lose their stack trace
   * (unless {@code --verbose}): a failed start then reads as a few lines and the final {@link
   * #describe} line, not as hundreds of lines of traces.
   */
  @LoggingFilter(name = "startup-traces")
  public static final class TraceFilter implements Filter {
    @Override
    public boolean isLoggable(LogRecord record) {
      if (!started && !CliErrors.verbose() && record.getThrown() != null) {
        record.setThrown(null);
      }
      return true;
    }
  }
}
