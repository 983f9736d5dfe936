package dev.speculators.operator.status;

/**
 * What a reconciliation concluded about a resource: one of four states, a reason from the catalogue
 * and a message for people.
 *
 * @param state the state (from the reason)
 * @param reason why
 * @param message details: names the failing object, field or container
 */
public record Outcome(State state, Reason reason, String message) {

  /** The states a resource can be in, as kstatus sees them. */
  public enum State {
    /** Work is going on or waiting for something that will come. */
    IN_PROGRESS,
    /** Work cannot go on until someone fixes the cause; not terminal. */
    STALLED,
    /** Done. */
    SUCCEEDED,
    /** Failed for good; a new resource is needed to try again. */
    FAILED
  }

  /** The outcome for {@code reason}, in the reason's state. */
  public static Outcome of(Reason reason, String message) {
    return new Outcome(reason.state(), reason, message);
  }

  /** True for the terminal states. */
  public boolean terminal() {
    return state == State.SUCCEEDED || state == State.FAILED;
  }
}
