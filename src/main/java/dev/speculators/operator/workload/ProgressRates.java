package dev.speculators.operator.workload;

import dev.speculators.api.common.Progress;
import dev.speculators.io.ProgressLine;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * Rates, elapsed time and ETA in {@code status.progress}, from the numbers the workers print in
 * their {@code PROGRESS} lines. The ETA is an absolute time rounded up to the minute, and it moves
 * only when the new estimate differs from the one in the status by more than a minute and more than
 * {@value #ETA_TOLERANCE_PERCENT} % of the time that remains: status writes stay bounded by the
 * progress-log interval (one read per resource per interval), and the ETA column does not jitter.
 */
public final class ProgressRates {
  /**
   * How far a new ETA may differ from the written one before it replaces it, in % of what remains.
   */
  public static final int ETA_TOLERANCE_PERCENT = 5;

  private static final Duration MIN_TOLERANCE = Duration.ofMinutes(1);

  private ProgressRates() {}

  /**
   * Sets {@code next.eta}: the written ETA ({@code previousEta}) while the estimate {@code now +
   * remainingSeconds} stays within the tolerance of it, else the new estimate; none without an
   * estimate.
   */
  public static void eta(Progress next, String previousEta, Instant now, Double remainingSeconds) {
    next.eta = eta(previousEta, now, remainingSeconds);
  }

  /** The ETA to write (see {@link #eta(Progress, String, Instant, Double)}). */
  public static String eta(String previousEta, Instant now, Double remainingSeconds) {
    if (remainingSeconds == null || !(remainingSeconds >= 0) || remainingSeconds.isInfinite()) {
      return null;
    }
    Instant candidate = roundUpToMinute(now.plusMillis((long) (remainingSeconds * 1000)));
    Instant previous = parse(previousEta);
    if (previous != null) {
      Duration tolerance =
          max(
              MIN_TOLERANCE,
              Duration.ofMillis((long) (remainingSeconds * 10 * ETA_TOLERANCE_PERCENT)));
      if (Duration.between(previous, candidate).abs().compareTo(tolerance) <= 0) {
        return previousEta;
      }
    }
    return candidate.toString();
  }

  /** A rate for people: three significant digits, k and M for thousands and millions. */
  public static String rate(double perSecond, String unit) {
    return number(perSecond) + " " + unit + "/s";
  }

  /** A number with three significant digits and a k or M suffix. */
  public static String number(double v) {
    double a = Math.abs(v);
    if (a >= 1e6) {
      return significant(v / 1e6) + "M";
    }
    if (a >= 1e3) {
      return significant(v / 1e3) + "k";
    }
    return significant(v);
  }

  private static String significant(double v) {
    double r = ProgressLine.round3(v);
    if (Math.abs(r) >= 100) {
      return String.format(Locale.ROOT, "%.0f", r);
    }
    return java.math.BigDecimal.valueOf(r).stripTrailingZeros().toPlainString();
  }

  private static Instant roundUpToMinute(Instant t) {
    Instant floor = t.truncatedTo(ChronoUnit.MINUTES);
    return floor.equals(t) ? t : floor.plus(1, ChronoUnit.MINUTES);
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static Instant parse(String rfc3339) {
    if (rfc3339 == null) {
      return null;
    }
    try {
      return Instant.parse(rfc3339);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
