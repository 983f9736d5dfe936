package dev.speculators.datagen;

import java.io.IOException;

/**
 * A row could not be generated. {@link #retryable()} tells whether sending the same row again can
 * succeed (server busy, connection lost, a staging file cut short) or not (the template rejects the
 * conversation, the server refuses the prompt).
 */
public class GenerationException extends IOException {
  private static final long serialVersionUID = 1L;
  private final boolean retryable;

  public GenerationException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  public boolean retryable() {
    return retryable;
  }
}
