package dev.speculators.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;

class ErrorReasonsTest {
  @Test
  void apiErrorsByStatusReasonOrCodeOthersByType() {
    assertThat(
            ErrorReasons.of(
                new KubernetesClientException(
                    new StatusBuilder()
                        .withCode(403)
                        .withReason("Forbidden")
                        .withMessage("jobs is forbidden: user x")
                        .build())))
        .isEqualTo("Forbidden");
    assertThat(ErrorReasons.of(new KubernetesClientException("boom", 500, null)))
        .isEqualTo("HTTP500");
    assertThat(
            ErrorReasons.of(
                new IllegalStateException(
                    "x",
                    new KubernetesClientException(
                        new StatusBuilder().withCode(409).withReason("Conflict").build()))))
        .as("the API error behind a wrapper")
        .isEqualTo("Conflict");
    assertThat(ErrorReasons.of(new KubernetesClientException("connection refused")))
        .isEqualTo("ApiUnreachable");
    assertThat(ErrorReasons.of(new IllegalArgumentException("spec.x")))
        .isEqualTo("IllegalArgumentException");
  }
}
