package dev.speculators.local;

/** A step of a local run failed; the message names the resource and what went wrong. */
public final class LocalRunException extends Exception {
  public LocalRunException(String message) {
    super(message);
  }

  public LocalRunException(String message, Throwable cause) {
    super(message, cause);
  }
}
