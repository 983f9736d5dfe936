package dev.speculators.io.hub;

import java.io.IOException;

/**
 * A Hub request that cannot succeed as asked: the repository, revision or file does not exist,
 * access is denied, the Hub cannot be reached, or a download does not match its checksum. The
 * message names the repository and file and says what to do.
 */
public class HfHubException extends IOException {
  private final int status;

  public HfHubException(String message) {
    this(message, 0, null);
  }

  public HfHubException(String message, Throwable cause) {
    this(message, 0, cause);
  }

  public HfHubException(String message, int status, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  /**
   * The HTTP status that caused this error, or 0 when there was none (network, cache, checksum).
   */
  public int status() {
    return status;
  }

  /** True when the Hub said the thing asked for does not exist (HTTP 404). */
  public boolean isNotFound() {
    return status == 404;
  }
}
