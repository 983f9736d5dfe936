package dev.speculators.io.hub;

/**
 * The Hub (or the mirror in {@code HF_ENDPOINT}) did not answer: connection refused, DNS failure,
 * timeout. Callers fall back to the cache where it has what they need.
 */
public class HfHubUnreachableException extends HfHubException {
  public HfHubUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
