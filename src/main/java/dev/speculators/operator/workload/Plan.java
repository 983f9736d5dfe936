package dev.speculators.operator.workload;

import dev.speculators.api.common.ResourceStatus;
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
 */
public record Plan<S extends ResourceStatus>(
    List<HasMetadata> create, S status, String phase, Outcome outcome, Duration requeue) {}
