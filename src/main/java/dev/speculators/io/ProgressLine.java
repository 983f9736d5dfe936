package dev.speculators.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * Machine-readable progress in a workload's log: one line {@code PROGRESS {json}} next to the human
 * progress line. The operator reads the newest such line from the container log to show live
 * progress (epoch/step, samples) in the resource status while the pod runs.
 */
public final class ProgressLine {
  public static final String PREFIX = "PROGRESS ";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ProgressLine() {}

  public static String format(ObjectNode progress) {
    try {
      return PREFIX + JSON.writeValueAsString(progress);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * {@code v} rounded to three significant digits: how rates are written in progress lines and
   * status, so that they do not churn in their last digits.
   */
  public static double round3(double v) {
    if (v == 0 || !Double.isFinite(v)) {
      return 0;
    }
    double scale = Math.pow(10, 2 - Math.floor(Math.log10(Math.abs(v))));
    return Math.round(v * scale) / scale;
  }

  /** The JSON of a progress line, or empty for any other line (or a malformed one). */
  public static Optional<ObjectNode> parse(String line) {
    int at = line.indexOf(PREFIX);
    if (at < 0) {
      return Optional.empty();
    }
    try {
      var node = JSON.readTree(line.substring(at + PREFIX.length()));
      return node instanceof ObjectNode o ? Optional.of(o) : Optional.empty();
    } catch (java.io.IOException e) {
      return Optional.empty();
    }
  }

  /** The newest progress object in a log excerpt (e.g. the tail of a container log). */
  public static Optional<ObjectNode> latest(String log) {
    String[] lines = log.split("\n");
    for (int i = lines.length - 1; i >= 0; i--) {
      Optional<ObjectNode> p = parse(lines[i]);
      if (p.isPresent()) {
        return p;
      }
    }
    return Optional.empty();
  }
}
