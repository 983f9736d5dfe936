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
  void phaseChangesAndNewStallsAreEventsNothingElse() {
    Outcome gen = Outcome.of(Reason.Generating, "1/2");
    assertThat(PhaseEvents.note(null, null, "Pending", Outcome.of(Reason.Pending, "x")))
        .hasValueSatisfying(
            n -> {
              assertThat(n.type()).isEqualTo("Normal");
              assertThat(n.reason()).isEqualTo("Pending");
            });
    assertThat(PhaseEvents.note("Pending", "PodsStarting", "Generating", gen))
        .hasValueSatisfying(n -> assertThat(n.message()).isEqualTo("Generating: 1/2"));
    assertThat(PhaseEvents.note("Generating", "Generating", "Generating", gen)).isEmpty();
    assertThat(
            PhaseEvents.note(
                "Generating", "Generating", "Generating", Outcome.of(Reason.CrashLoopBackOff, "x")))
        .hasValueSatisfying(
            n -> {
              assertThat(n.type()).isEqualTo("Warning");
              assertThat(n.reason()).isEqualTo("CrashLoopBackOff");
            });
    assertThat(
            PhaseEvents.note(
                "Generating",
                "CrashLoopBackOff",
                "Generating",
                Outcome.of(Reason.CrashLoopBackOff, "y")))
        .isEmpty();
    assertThat(
            PhaseEvents.note(
                "Generating", "Generating", "Failed", Outcome.of(Reason.OOMKilled, "z")))
        .hasValueSatisfying(
            n -> {
              assertThat(n.type()).isEqualTo("Warning");
              assertThat(n.reason()).isEqualTo("OOMKilled");
            });
  }
}
