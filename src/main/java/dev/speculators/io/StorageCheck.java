package dev.speculators.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The storage pre-flight's verdict: what a piece of work will write against what its volume holds,
 * in the one wording the operator, the pods and {@code run -f} all report. Too small refuses the
 * work, unless the estimate is only an upper bound (the mean sample length was not known); close
 * (less than {@value #HEADROOM_PERCENT} % of the volume would stay free) warns.
 *
 * @param what what is estimated, e.g. {@code "the dataset"} or {@code "the checkpoints and final
 *     speculator"}
 * @param neededBytes the estimate
 * @param availableBytes what the volume holds (its size, or its free space plus what the work wrote
 *     already)
 * @param upperBound true when the estimate is an upper bound (a refusal is then only a warning)
 * @param basis how the estimate was made, e.g. {@code "2000 samples × mean 812 tokens × ..."}
 * @param volume how the volume is named in the message, e.g. {@code "storage.size 10Gi"}
 */
public record StorageCheck(
    String what,
    long neededBytes,
    long availableBytes,
    boolean upperBound,
    String basis,
    String volume) {

  /** Exit code of a pod that refused its work because the volume is too small. */
  public static final int EXIT_CODE = 3;

  /** Below this share of the volume left free, the check warns. */
  public static final int HEADROOM_PERCENT = 10;

  /** The size suggested is the estimate plus this share, rounded up to whole GiB. */
  public static final int MARGIN_PERCENT = 20;

  private static final long GIB = 1L << 30;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The verdict. */
  public enum Verdict {
    /** Enough room, with headroom. */
    FITS,
    /** It fits, but less than the headroom stays free. */
    CLOSE,
    /** It does not fit. */
    TOO_SMALL
  }

  public Verdict verdict() {
    if (neededBytes > availableBytes) {
      return Verdict.TOO_SMALL;
    }
    if (neededBytes > availableBytes - availableBytes / 100 * HEADROOM_PERCENT) {
      return Verdict.CLOSE;
    }
    return Verdict.FITS;
  }

  /** True when the work must not start: too small by an estimate that is not an upper bound. */
  public boolean refuses() {
    return verdict() == Verdict.TOO_SMALL && !upperBound;
  }

  /** True when the verdict deserves a warning (close, or too small by an upper bound). */
  public boolean warns() {
    return verdict() != Verdict.FITS && !refuses();
  }

  /** The size to ask for: the estimate plus {@value #MARGIN_PERCENT} %, in whole GiB. */
  public long suggestedBytes() {
    long withMargin = neededBytes + neededBytes / 100 * MARGIN_PERCENT;
    return Math.max(1, (withMargin + GIB - 1) / GIB) * GIB;
  }

  /** {@link #suggestedBytes} as a Kubernetes quantity, e.g. {@code 15Gi}. */
  public String suggestedQuantity() {
    return suggestedBytes() / GIB + "Gi";
  }

  /** The sentence for status messages, Events and logs. */
  public String message() {
    String needs =
        what
            + (upperBound ? " needs at most about " : " needs about ")
            + human(neededBytes)
            + " ("
            + basis
            + ")";
    return switch (verdict()) {
      case FITS -> needs + "; " + volume + " holds " + human(availableBytes);
      case CLOSE ->
          needs
              + ", close to the "
              + human(availableBytes)
              + " of "
              + volume
              + "; ask for "
              + suggestedQuantity()
              + " to keep "
              + MARGIN_PERCENT
              + " % headroom";
      case TOO_SMALL ->
          needs
              + " but "
              + volume
              + " holds only "
              + human(availableBytes)
              + "; ask for at least "
              + suggestedQuantity()
              + (upperBound
                  ? " (an upper bound at the sequence-length cap: the data generator measures the"
                      + " real sample lengths before it writes)"
                  : "");
    };
  }

  /** The machine-readable form, for termination messages and reports. */
  public ObjectNode toJson() {
    ObjectNode n = JSON.createObjectNode();
    n.put("what", what);
    n.put("neededBytes", neededBytes);
    n.put("availableBytes", availableBytes);
    n.put("upperBound", upperBound);
    n.put("verdict", verdict().name());
    n.put("suggested", suggestedQuantity());
    n.put("basis", basis);
    n.put("message", message());
    return n;
  }

  /** The bytes of every file under {@code dir} (0 when it does not exist). */
  public static long bytesUnder(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      long total = 0;
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        total += Files.size(p);
      }
      return total;
    }
  }

  /** Bytes for people: {@code 12.3 GiB}, {@code 640.0 MiB}. */
  public static String human(long bytes) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = bytes;
    int u = 0;
    while (Math.abs(v) >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return u == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
