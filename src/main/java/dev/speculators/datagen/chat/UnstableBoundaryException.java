package dev.speculators.datagen.chat;

/**
 * An assistant turn whose loss mask cannot be placed: rendering the conversation up to that turn
 * re-renders earlier turns differently from rendering the history alone, so no token boundary
 * separates the history from the turn. Upstream speculators raises {@code BoundaryUnstableError}
 * for the same renders; the row is skipped.
 */
public final class UnstableBoundaryException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int turn;

  public UnstableBoundaryException(int turn, String message) {
    super(message);
    this.turn = turn;
  }

  /** Index of the assistant turn in the conversation. */
  public int turn() {
    return turn;
  }
}
