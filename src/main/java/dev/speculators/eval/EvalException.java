package dev.speculators.eval;

/** An evaluation that cannot go on; the message says what failed and where (exit code 1). */
public class EvalException extends Exception {
  public EvalException(String message) {
    super(message);
  }

  public EvalException(String message, Throwable cause) {
    super(message, cause);
  }
}
