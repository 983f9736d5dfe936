package dev.speculators.datagen.source;

import java.io.IOException;

/** Malformed dataset content; the message names the file and the line, row or record. */
public final class SourceFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public SourceFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
