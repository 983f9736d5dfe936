package dev.speculators.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.speculators.api.HiddenStateDatasetStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class StatusConditionsTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static Map<String, String> values(HiddenStateDatasetStatus s) {
    return s.conditions.stream()
        .collect(Collectors.toMap(Condition::getType, Condition::getStatus));
  }

  @Test
  void eachStateSetsAllFiveConditionsTheWayKstatusReadsThem() {
    HiddenStateDatasetStatus s = new HiddenStateDatasetStatus();
    StatusConditions.apply(s, Outcome.of(Reason.Generating, "1/4 shards"), 3L, T0);
    assertThat(values(s))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "Ready",
                "False",
                "Progressing",
                "True",
                "Reconciling",
                "True",
                "Stalled",
                "False",
                "Failed",
                "False"));
    assertThat(s.message).isEqualTo("1/4 shards");
    assertThat(s.conditions)
        .allSatisfy(
            c -> {
              assertThat(c.getObservedGeneration()).isEqualTo(3L);
              assertThat(c.getReason()).isEqualTo("Generating");
            });

    StatusConditions.apply(s, Outcome.of(Reason.Unschedulable, "no GPU"), 3L, T0);
    assertThat(values(s))
        .containsEntry("Stalled", "True")
        .containsEntry("Reconciling", "False")
        .containsEntry("Ready", "False")
        .containsEntry("Failed", "False");

    StatusConditions.apply(s, Outcome.of(Reason.OOMKilled, "oom"), 3L, T0);
    assertThat(values(s))
        .containsEntry("Stalled", "True")
        .containsEntry("Failed", "True")
        .containsEntry("Progressing", "False");

    StatusConditions.apply(s, Outcome.of(Reason.Succeeded, "done"), 3L, T0);
    assertThat(values(s))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "Ready",
                "True",
                "Progressing",
                "False",
                "Reconciling",
                "False",
                "Stalled",
                "False",
                "Failed",
                "False"));
  }

  @Test
  void transitionTimesMoveOnlyWhenAValueChanges() {
    HiddenStateDatasetStatus s = new HiddenStateDatasetStatus();
    StatusConditions.apply(s, Outcome.of(Reason.PodsStarting, "a"), 1L, T0);
    StatusConditions.apply(s, Outcome.of(Reason.Generating, "b"), 2L, T0.plusSeconds(60));
    Condition ready = s.condition("Ready").orElseThrow();
    assertThat(ready.getLastTransitionTime()).isEqualTo("2026-01-01T00:00:00Z");
    assertThat(ready.getReason()).isEqualTo("Generating");
    StatusConditions.apply(s, Outcome.of(Reason.Succeeded, "c"), 2L, T0.plusSeconds(120));
    assertThat(s.condition("Ready").orElseThrow().getLastTransitionTime())
        .isEqualTo("2026-01-01T00:02:00Z");
  }

  @Test
  void everyPhaseChangeIsANormalEventAndTroubleAddsAWarning() {
    Outcome gen = Outcome.of(Reason.Generating, "1/2");
    assertThat(PhaseEvents.notes(null, null, "Pending", Outcome.of(Reason.Pending, "x")))
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.type()).isEqualTo("Normal");
              assertThat(n.reason()).isEqualTo("Pending");
            });
    assertThat(PhaseEvents.notes("Pending", "PodsStarting", "Generating", gen))
        .singleElement()
        .satisfies(n -> assertThat(n.message()).isEqualTo("Generating: 1/2"));
    assertThat(PhaseEvents.notes("Generating", "Generating", "Generating", gen)).isEmpty();
    assertThat(
            PhaseEvents.notes(
                "Generating", "Generating", "Generating", Outcome.of(Reason.CrashLoopBackOff, "x")))
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.type()).isEqualTo("Warning");
              assertThat(n.reason()).isEqualTo("CrashLoopBackOff");
            });
    assertThat(
            PhaseEvents.notes(
                "Generating",
                "CrashLoopBackOff",
                "Generating",
                Outcome.of(Reason.CrashLoopBackOff, "y")))
        .isEmpty();
    // a phase change that fails: the Normal Event of the new phase and the Warning with the reason
    assertThat(
            PhaseEvents.notes(
                "Generating", "Generating", "Failed", Outcome.of(Reason.OOMKilled, "z")))
        .extracting(n -> n.type() + "/" + n.reason() + "/" + n.message())
        .containsExactly("Normal/Failed/Failed: z", "Warning/OOMKilled/z");
    // a phase change that stalls (a training's dataset failed while it waited)
    assertThat(
            PhaseEvents.notes(
                "Pending",
                "Pending",
                "WaitingForDataset",
                Outcome.of(Reason.DatasetFailed, "ds failed")))
        .extracting(n -> n.type() + "/" + n.reason())
        .containsExactly("Normal/WaitingForDataset", "Warning/DatasetFailed");
    assertThat(
            PhaseEvents.notes(
                "Training", "Training", "Succeeded", Outcome.of(Reason.Succeeded, "done")))
        .extracting(n -> n.type() + "/" + n.reason())
        .containsExactly("Normal/Succeeded");
    assertThat(
            PhaseEvents.notes(
                "Training",
                "CollectingResults",
                "Succeeded",
                Outcome.of(Reason.SummaryUnavailable, "pod deleted")))
        .extracting(n -> n.type() + "/" + n.reason())
        .containsExactly("Normal/Succeeded", "Warning/SummaryUnavailable");
  }
}
