package dev.speculators.train.data;

/**
 * Loading or packing a row failed in the background; thrown to the consumer of {@link RowLoader}.
 * The message names the sample file when the failure came from one.
 */
public class DataLoadException extends RuntimeException {
  public DataLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
