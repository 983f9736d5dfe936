package dev.speculators.operator.status;

import dev.speculators.operator.kube.EventRecorder;
import java.util.ArrayList;
import java.util.List;

/**
 * The Events a status change deserves: a Normal one on every phase change (reason: the new phase),
 * and a Warning (reason: from the catalogue) when the resource stalls, stalls for a new reason,
 * fails, or finishes without all of its results ({@link Reason#warns()}); a phase change that comes
 * with such trouble gets both.
 */
public final class PhaseEvents {
  private PhaseEvents() {}

  /**
   * @param previousPhase the phase before ({@code null} for a new resource)
   * @param previousReason the Ready reason before, or null
   * @param phase the new phase
   * @param outcome the new outcome
   * @return the notes to record, Normal first
   */
  public static List<EventRecorder.Note> notes(
      String previousPhase, String previousReason, String phase, Outcome outcome) {
    List<EventRecorder.Note> notes = new ArrayList<>();
    boolean phaseChanged = !phase.equals(previousPhase);
    if (phaseChanged) {
      notes.add(EventRecorder.Note.normal(phase, phase + ": " + outcome.message()));
    }
    boolean reasonChanged = !outcome.reason().name().equals(previousReason);
    if (outcome.reason().warns() && (phaseChanged || reasonChanged)) {
      notes.add(EventRecorder.Note.warning(outcome.reason().name(), outcome.message()));
    }
    return notes;
  }
}
