package dev.speculators.operator.workload;

import dev.speculators.api.common.ResourceStatus;
import dev.speculators.operator.kube.EventRecorder;
import dev.speculators.operator.status.Outcome;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.List;

/**
 * What a planner decided from what it observed: the children to create (in order), the new status
 * and the outcome it reports, and when to look again without an event (null: on events only).
 *
 * @param create children that do not exist yet
 * @param status the complete new status
 * @param phase the new phase's name, for events
 * @param outcome the outcome behind the conditions
 * @param requeue when to reconcile again regardless of events, or null
 * @param update objects that exist and are replaced by these versions (carrying the resourceVersion
 *     they were read at: a concurrent change fails the update, and the reconciliation is retried)
 * @param notes Events beyond the phase change's, e.g. a storage warning or a reuse
 */
public record Plan<S extends ResourceStatus>(
    List<HasMetadata> create,
    S status,
    String phase,
    Outcome outcome,
    Duration requeue,
    List<HasMetadata> update,
    List<EventRecorder.Note> notes) {

  public Plan {
    update = update == null ? List.of() : List.copyOf(update);
    notes = notes == null ? List.of() : List.copyOf(notes);
  }

  /** A plan that updates nothing and records no extra Events. */
  public Plan(List<HasMetadata> create, S status, String phase, Outcome outcome, Duration requeue) {
    this(create, status, phase, outcome, requeue, List.of(), List.of());
  }

  /** The same plan with another requeue. */
  public Plan<S> withRequeue(Duration after) {
    return new Plan<>(create, status, phase, outcome, after, update, notes);
  }
}
