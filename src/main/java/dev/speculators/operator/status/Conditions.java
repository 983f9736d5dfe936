package dev.speculators.operator.status;

import dev.speculators.api.common.ResourceStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Conditions in metav1.Condition shape. {@code lastTransitionTime} changes only when a condition's
 * status changes, so that writing the same state again leaves the status equal (and the reconciler
 * can skip the write).
 */
public final class Conditions {
  /** The resource has reached its goal (for a job-like resource: it succeeded). */
  public static final String READY = "Ready";

  /** Work is under way. */
  public static final String PROGRESSING = "Progressing";

  /** The work failed and will not be retried without a change. */
  public static final String FAILED = "Failed";

  /** The work cannot proceed (e.g. a missing dependency) but may once the cause is fixed. */
  public static final String STALLED = "Stalled";

  public static final String TRUE = "True";
  public static final String FALSE = "False";
  public static final String UNKNOWN = "Unknown";

  private Conditions() {}

  /** Deep copies of the conditions of a status (empty when it has none). */
  public static List<Condition> copyOf(ResourceStatus status) {
    List<Condition> out = new ArrayList<>();
    if (status != null && status.conditions != null) {
      status.conditions.forEach(c -> out.add(new ConditionBuilder(c).build()));
    }
    return out;
  }

  /**
   * Sets a condition in {@code status}, keeping its transition time when the status value is
   * unchanged. Times are RFC 3339 in whole seconds, as Kubernetes writes them.
   */
  public static void set(
      ResourceStatus status,
      String type,
      String value,
      String reason,
      String message,
      Long observedGeneration,
      Instant now) {
    List<Condition> list = status.mutableConditions();
    Condition existing =
        list.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    String transition =
        existing != null
                && value.equals(existing.getStatus())
                && existing.getLastTransitionTime() != null
            ? existing.getLastTransitionTime()
            : now.truncatedTo(ChronoUnit.SECONDS).toString();
    Condition c =
        new ConditionBuilder()
            .withType(type)
            .withStatus(value)
            .withReason(reason)
            .withMessage(message)
            .withObservedGeneration(observedGeneration)
            .withLastTransitionTime(transition)
            .build();
    if (existing == null) {
      list.add(c);
    } else {
      list.set(list.indexOf(existing), c);
    }
  }
}
