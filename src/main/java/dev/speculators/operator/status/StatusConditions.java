package dev.speculators.operator.status;

import dev.speculators.api.common.ResourceStatus;
import java.time.Instant;

/**
 * Sets the five conditions of a status from an {@link Outcome}. All five are always present, so
 * that both people and tools find what they look for:
 *
 * <table>
 * <caption>conditions per state</caption>
 * <tr><th>state</th><th>Ready</th><th>Progressing</th><th>Reconciling</th><th>Stalled</th><th>Failed</th></tr>
 * <tr><td>in progress</td><td>False</td><td>True</td><td>True</td><td>False</td><td>False</td></tr>
 * <tr><td>stalled</td><td>False</td><td>False</td><td>False</td><td>True</td><td>False</td></tr>
 * <tr><td>succeeded</td><td>True</td><td>False</td><td>False</td><td>False</td><td>False</td></tr>
 * <tr><td>failed</td><td>False</td><td>False</td><td>False</td><td>True</td><td>True</td></tr>
 * </table>
 *
 * <p>{@code Reconciling} and {@code Stalled} are the kstatus conditions (Flux, Argo CD, {@code
 * kubectl wait --for=condition=Ready}): a stalled or failed resource reads as failed there, an
 * in-progress one as in progress.
 */
public final class StatusConditions {
  /** kstatus: the controller is working towards the desired state. */
  public static final String RECONCILING = "Reconciling";

  private StatusConditions() {}

  /** Sets the conditions and the message of {@code status}. */
  public static void apply(ResourceStatus status, Outcome outcome, Long generation, Instant now) {
    Outcome.State s = outcome.state();
    String reason = outcome.reason().name();
    String message = outcome.message();
    set(status, Conditions.READY, s == Outcome.State.SUCCEEDED, reason, message, generation, now);
    set(
        status,
        Conditions.PROGRESSING,
        s == Outcome.State.IN_PROGRESS,
        reason,
        message,
        generation,
        now);
    set(status, RECONCILING, s == Outcome.State.IN_PROGRESS, reason, message, generation, now);
    set(
        status,
        Conditions.STALLED,
        s == Outcome.State.STALLED || s == Outcome.State.FAILED,
        reason,
        message,
        generation,
        now);
    set(status, Conditions.FAILED, s == Outcome.State.FAILED, reason, message, generation, now);
    status.message = message;
  }

  private static void set(
      ResourceStatus status,
      String type,
      boolean value,
      String reason,
      String message,
      Long generation,
      Instant now) {
    Conditions.set(
        status, type, value ? Conditions.TRUE : Conditions.FALSE, reason, message, generation, now);
  }
}
