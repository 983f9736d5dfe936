package dev.speculators.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.api.HiddenStateDatasetStatus;
import dev.speculators.api.SpeculatorEvalStatus;
import dev.speculators.api.SpeculatorTrainingStatus;
import dev.speculators.api.common.ResourceStatus;
import dev.speculators.operator.status.Outcome;
import dev.speculators.operator.status.Reason;
import dev.speculators.operator.status.StatusConditions;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every state the operator's status code can report, for each kind, read by the tools people deploy
 * with: Argo CD's health check, kstatus (Flux), {@code kubectl wait --for=condition=Ready} and
 * Flux's health-check expressions. Healthy/Current/Ready only when the work succeeded;
 * Degraded/Failed when it failed or stalled; in progress otherwise and while the operator has not
 * observed the current generation.
 */
class GitOpsHealthTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");
  private static final List<Kind> KINDS =
      List.of(
          new Kind("HiddenStateDataset", HiddenStateDatasetStatus::new),
          new Kind("SpeculatorTraining", SpeculatorTrainingStatus::new),
          new Kind("SpeculatorEval", SpeculatorEvalStatus::new));

  record Kind(String name, Supplier<ResourceStatus> status) {}

  /**
   * A resource as the API server returns it, with the status the operator writes for {@code
   * outcome}.
   */
  static ObjectNode resource(Kind kind, long generation, Long observed, Outcome outcome) {
    ObjectNode r = JSON.createObjectNode();
    r.put("apiVersion", "speculators.dev/v1alpha1");
    r.put("kind", kind.name());
    r.putObject("metadata").put("name", "x").put("namespace", "ns").put("generation", generation);
    r.putObject("spec");
    if (outcome != null) {
      ResourceStatus status = kind.status().get();
      status.observedGeneration = observed;
      StatusConditions.apply(status, outcome, observed, NOW);
      r.set("status", JSON.valueToTree(status));
    }
    return r;
  }

  @ParameterizedTest
  @EnumSource(Reason.class)
  void everyReasonReadsTheSameInEveryTool(Reason reason) {
    String message = "the message for " + reason;
    for (Kind kind : KINDS) {
      JsonNode r = resource(kind, 3, 3L, Outcome.of(reason, message));
      HealthChecks.ArgoHealth argo = HealthChecks.argo(r);
      boolean ready = HealthChecks.kubectlWait(r, "Ready", "True");
      String kstatus = HealthChecks.kstatus(r);
      String flux = HealthChecks.flux(r);
      String what = kind.name() + " " + reason;
      switch (reason.state()) {
        case SUCCEEDED -> {
          assertThat(argo.status()).as(what).isEqualTo("Healthy");
          assertThat(kstatus).as(what).isEqualTo("Current");
          assertThat(flux).as(what).isEqualTo("Current");
          assertThat(ready).as(what).isTrue();
        }
        case FAILED, STALLED -> {
          assertThat(argo.status()).as(what).isEqualTo("Degraded");
          assertThat(kstatus).as(what).isEqualTo("Failed");
          assertThat(flux).as(what).isEqualTo("Failed");
          assertThat(ready).as(what).isFalse();
          assertThat(HealthChecks.kubectlWait(r, "Stalled", "True")).as(what).isTrue();
        }
        case IN_PROGRESS -> {
          assertThat(argo.status()).as(what).isEqualTo("Progressing");
          assertThat(kstatus).as(what).isEqualTo("InProgress");
          assertThat(flux).as(what).isEqualTo("InProgress");
          assertThat(ready).as(what).isFalse();
        }
      }
      assertThat(argo.message()).as(what).isEqualTo(reason.name() + ": " + message);
      assertThat(HealthChecks.kubectlWait(r, "Failed", "True"))
          .as(what)
          .isEqualTo(reason.state() == Outcome.State.FAILED);
      assertThat(HealthChecks.kubectlWait(r, "ready", "true"))
          .as("kubectl compares case-insensitively")
          .isEqualTo(ready);
    }
  }

  @Test
  void aSpecChangeTheOperatorHasNotObservedIsInProgressEverywhere() {
    for (Kind kind : KINDS) {
      // succeeded for generation 1; the spec (a mutable field) changed to generation 2
      JsonNode r = resource(kind, 2, 1L, Outcome.of(Reason.Succeeded, "done"));
      assertThat(HealthChecks.argo(r).status()).isEqualTo("Progressing");
      assertThat(HealthChecks.argo(r).message()).contains("generation 2");
      assertThat(HealthChecks.kstatus(r)).isEqualTo("InProgress");
      assertThat(HealthChecks.flux(r)).isEqualTo("InProgress");
      assertThat(HealthChecks.kubectlWait(r, "Ready", "True"))
          .as("kubectl wait ignores a condition of an older generation")
          .isFalse();
      // the same for a failure: not Degraded until the operator looked at the new spec
      JsonNode failed = resource(kind, 2, 1L, Outcome.of(Reason.BackoffLimitExceeded, "exit 1"));
      assertThat(HealthChecks.argo(failed).status()).isEqualTo("Progressing");
      assertThat(HealthChecks.kstatus(failed)).isEqualTo("InProgress");
    }
  }

  @Test
  void aResourceWithoutStatusYet() {
    for (Kind kind : KINDS) {
      JsonNode r = resource(kind, 1, null, null);
      assertThat(HealthChecks.argo(r).status()).isEqualTo("Progressing");
      assertThat(HealthChecks.kubectlWait(r, "Ready", "True")).isFalse();
      // kstatus has nothing to go on and calls it Current (its documented default for custom
      // resources); the health-check expressions do not: Flux keeps waiting until the first status
      assertThat(HealthChecks.kstatus(r)).isEqualTo("Current");
      assertThat(HealthChecks.flux(r)).isIn("Error", "InProgress");
    }
  }

  @Test
  void deletionIsTerminatingForKstatus() {
    ObjectNode r = resource(KINDS.get(1), 1, 1L, Outcome.of(Reason.Training, "epoch 1/3"));
    ((ObjectNode) r.get("metadata")).put("deletionTimestamp", "2026-05-01T12:01:00Z");
    assertThat(HealthChecks.kstatus(r)).isEqualTo("Terminating");
  }

  @Test
  void theLuaScriptIsWhatArgoCdRuns() {
    // a status with only Ready=False and a message: Progressing with the message
    ObjectNode r = resource(KINDS.get(0), 1, 1L, null);
    ObjectNode status = r.putObject("status");
    status.put("observedGeneration", 1);
    status.put("message", "waiting");
    assertThat(HealthChecks.argo(r))
        .isEqualTo(new HealthChecks.ArgoHealth("Progressing", "waiting"));
    status
        .putArray("conditions")
        .addObject()
        .put("type", "Ready")
        .put("status", "False")
        .put("reason", "Pending")
        .put("message", "");
    assertThat(HealthChecks.argo(r))
        .isEqualTo(new HealthChecks.ArgoHealth("Progressing", "Pending"));
  }
}
