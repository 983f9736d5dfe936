package dev.speculators.operator.status;

import dev.speculators.operator.kube.EventRecorder;
import java.util.Optional;

/**
 * The Event a status change deserves: one on every phase change (Normal, or Warning for a failure),
 * and a Warning when a resource stalls or stalls for a new reason.
 */
public final class PhaseEvents {
  private PhaseEvents() {}

  /**
   * @param previousPhase the phase before ({@code null} for a new resource)
   * @param previousReason the Ready reason before, or null
   * @param phase the new phase
   * @param outcome the new outcome
   */
  public static Optional<EventRecorder.Note> note(
      String previousPhase, String previousReason, String phase, Outcome outcome) {
    boolean phaseChanged = !phase.equals(previousPhase);
    boolean warning =
        outcome.state() == Outcome.State.STALLED || outcome.state() == Outcome.State.FAILED;
    if (phaseChanged) {
      String reason =
          outcome.state() == Outcome.State.IN_PROGRESS ? phase : outcome.reason().name();
      return Optional.of(
          warning
              ? EventRecorder.Note.warning(reason, phase + ": " + outcome.message())
              : EventRecorder.Note.normal(reason, phase + ": " + outcome.message()));
    }
    if (warning && !outcome.reason().name().equals(previousReason)) {
      return Optional.of(EventRecorder.Note.warning(outcome.reason().name(), outcome.message()));
    }
    return Optional.empty();
  }
}
