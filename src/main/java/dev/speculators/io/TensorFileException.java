package dev.speculators.io;

import java.io.IOException;
import java.nio.file.Path;

/** A tensor file that cannot be read: corrupt, truncated, or of an unsupported kind. */
public class TensorFileException extends IOException {
  private final transient Path file;

  public TensorFileException(Path file, String problem) {
    super(file + ": " + problem);
    this.file = file;
  }

  public TensorFileException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = file;
  }

  /** The file that failed to read. */
  public Path file() {
    return file;
  }
}
