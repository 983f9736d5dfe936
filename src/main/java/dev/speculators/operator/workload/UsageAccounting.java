package dev.speculators.operator.workload;

import dev.speculators.api.common.Usage;
import java.util.Map;

/**
 * {@code status.usage}: the GPU-seconds of a resource's own pods under the phase of work they do,
 * plus those other resources report for it (a training's dataset and evaluation). The numbers never
 * go down (pods of a finished Job may be deleted later) and, while pods run, move in steps of at
 * least {@value #STEP_SECONDS} seconds, so that a running workload does not rewrite its status on
 * every reconciliation; the final value is exact.
 */
public final class UsageAccounting {
  /** The smallest change of a running workload's GPU-seconds that is written. */
  public static final long STEP_SECONDS = 60;

  private UsageAccounting() {}

  /**
   * The new usage.
   *
   * @param previous the usage in the status, or null
   * @param phase the phase of work the resource's own pods do (Generating, Training, Evaluating)
   * @param ownSeconds the GPU-seconds of the resource's pods now
   * @param others GPU-seconds other resources report for this one, by phase
   * @param exact true when the resource finished (the value is written as it is)
   * @return the usage, or null while nothing has used a GPU
   */
  public static Usage next(
      Usage previous, String phase, double ownSeconds, Map<String, Long> others, boolean exact) {
    Usage u = previous;
    u = step(u, phase, (long) Math.floor(ownSeconds), exact);
    for (Map.Entry<String, Long> e : others.entrySet()) {
      u = step(u, e.getKey(), e.getValue() == null ? 0 : e.getValue(), true);
    }
    return u;
  }

  private static Usage step(Usage u, String phase, long seconds, boolean exact) {
    long before = u == null ? 0 : u.of(phase);
    if (seconds <= before) {
      return u;
    }
    if (!exact && seconds - before < STEP_SECONDS) {
      return u;
    }
    return (u == null ? new Usage() : u).with(phase, seconds);
  }
}
