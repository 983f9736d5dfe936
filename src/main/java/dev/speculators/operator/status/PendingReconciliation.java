package dev.speculators.operator.status;

import dev.speculators.api.common.ResourceStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Instant;

/**
 * The status the operator writes for a kind whose workload controller is not part of this build:
 * the generation is observed and {@code Ready=False} says why nothing happens, instead of leaving
 * the resource without any status.
 */
public final class PendingReconciliation {
  /** Reason of the {@code Ready} condition. */
  public static final String REASON = "NotImplemented";

  private PendingReconciliation() {}

  /** Fills {@code next} from the resource and the conditions of its current status. */
  public static <S extends ResourceStatus> S status(
      HasMetadata resource, ResourceStatus current, S next, Instant now) {
    Long generation = resource.getMetadata().getGeneration();
    next.observedGeneration = generation;
    next.conditions = Conditions.copyOf(current);
    Conditions.set(next, Conditions.READY, Conditions.FALSE, REASON,
        "this operator version does not run " + resource.getKind() + " workloads yet",
        generation, now);
    return next;
  }
}
