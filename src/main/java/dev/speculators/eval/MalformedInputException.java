package dev.speculators.eval;

/**
 * Input text that cannot be read as the format it claims to be: a Prometheus exposition, a vLLM log
 * line, a GuideLLM result. The message names the source and the line number (1-based) where that
 * applies.
 */
public class MalformedInputException extends IllegalArgumentException {
  private final int lineNumber;

  public MalformedInputException(String source, int lineNumber, String problem) {
    super(source + (lineNumber > 0 ? " line " + lineNumber : "") + ": " + problem);
    this.lineNumber = lineNumber;
  }

  /** The 1-based line number, or 0 when the problem is not tied to a line. */
  public int lineNumber() {
    return lineNumber;
  }
}
