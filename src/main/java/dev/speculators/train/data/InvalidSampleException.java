package dev.speculators.train.data;

import java.io.IOException;
import java.nio.file.Path;

/** A sample file that can be read but does not hold a usable training sample. */
public class InvalidSampleException extends IOException {
  private final transient Path file;

  public InvalidSampleException(Path file, String problem) {
    super(file + ": " + problem);
    this.file = file;
  }

  public InvalidSampleException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = file;
  }

  /** The offending file. */
  public Path file() {
    return file;
  }
}
