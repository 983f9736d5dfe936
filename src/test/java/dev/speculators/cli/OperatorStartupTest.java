package dev.speculators.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.sun.net.httpserver.HttpServer;
import dev.speculators.api.SpeculatorTraining;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.OperatorException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/**
 * The operator's start-up failures as one line, from the errors a real Kubernetes client raises
 * against an API server that is unreachable, lacks the CRDs, or forbids the operator's account. The
 * informer wrapping is the operator SDK's, as its start-up failure reports it.
 */
class OperatorStartupTest {

  @Test
  void anUnreachableApiServerNamesTheAddressAndTheKubeContext() throws IOException {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    String line = OperatorStartup.describe(informerFailure("http://127.0.0.1:" + closed));
    assertThat(line)
        .startsWith("cannot reach the Kubernetes API server: ")
        .contains("127.0.0.1:" + closed, "KUBECONFIG", "KUBERNETES_MASTER")
        .doesNotContain("\n");
  }

  @Test
  void missingCrdsSayToInstallThem() throws IOException {
    HttpServer server =
        apiServer(404, "{\"kind\":\"Status\",\"code\":404,\"reason\":\"NotFound\"}");
    try {
      String line = OperatorStartup.describe(informerFailure(url(server)));
      assertThat(line)
          .startsWith(
              "the Kubernetes API server does not serve"
                  + " speculatortrainings.speculators.dev/v1alpha1 (HTTP 404")
          .contains("install the CRDs first (kubectl apply -k manifests/");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aForbiddenListSaysToInstallTheRbac() throws IOException {
    HttpServer server =
        apiServer(
            403,
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":403,"
                + "\"reason\":\"Forbidden\",\"message\":\"speculatortrainings.speculators.dev is"
                + " forbidden: User \\\"system:serviceaccount:x:y\\\" cannot list resource\"}");
    try {
      String line = OperatorStartup.describe(informerFailure(url(server)));
      assertThat(line)
          .startsWith("the operator's account may not list and watch speculatortrainings")
          .contains("HTTP 403", "cannot list resource", "install the RBAC of manifests/");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void otherFailuresFallBackToTheirMessage() {
    assertThat(
            OperatorStartup.describe(new RuntimeException(new IllegalStateException("no lease"))))
        .isEqualTo("failed to start: no lease");
  }

  @Test
  void tracesAreDroppedFromLogRecordsUntilTheOperatorHasStarted() {
    LogRecord record = new LogRecord(Level.SEVERE, "Informer startup error");
    record.setThrown(new IllegalStateException("boom"));
    assertThat(new OperatorStartup.TraceFilter().isLoggable(record)).isTrue();
    assertThat(record.getThrown()).isNull();
    assertThat(record.getMessage()).isEqualTo("Informer startup error");
  }

  /** A list of SpeculatorTrainings, failed the way the operator SDK's informer start wraps it. */
  private static Throwable informerFailure(String masterUrl) {
    try (KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder()
                    .withMasterUrl(masterUrl)
                    .withRequestRetryBackoffLimit(0)
                    .withConnectionTimeout(2000)
                    .withRequestTimeout(2000)
                    .build())
            .build()) {
      Throwable e =
          catchThrowable(() -> client.resources(SpeculatorTraining.class).inAnyNamespace().list());
      assertThat(e).as("the list fails").isNotNull();
      return new OperatorException(
          new OperatorException(
              "Couldn't start informer for speculatortrainings.speculators.dev/v1alpha1"
                  + " resources",
              e));
    }
  }

  private static HttpServer apiServer(int code, String body) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(code, bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });
    server.start();
    return server;
  }

  private static String url(HttpServer server) {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }
}
