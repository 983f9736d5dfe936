package dev.speculators.local;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar for one phase. On a terminal it redraws one line in place (at most ten times a
 * second); otherwise (a log, CI) it prints a line at every tenth of the way, so logs stay short.
 */
final class ProgressBar {
  private static final int WIDTH = 24;

  private final PrintStream out;
  private final boolean interactive;
  private final String label;
  private final String unit;
  private final long startNanos = System.nanoTime();
  private long lastDrawNanos;
  private int lastDecile = -1;
  private boolean finished;

  ProgressBar(PrintStream out, boolean interactive, String label, String unit) {
    this.out = out;
    this.interactive = interactive;
    this.label = label;
    this.unit = unit;
  }

  synchronized void update(long done, long total, String detail) {
    if (finished) {
      return;
    }
    long now = System.nanoTime();
    if (interactive) {
      if (now - lastDrawNanos < 100_000_000L && done < total) {
        return;
      }
      lastDrawNanos = now;
      out.print("\r" + line(done, total, detail) + "\033[K");
      out.flush();
    } else {
      int decile = total <= 0 ? 0 : (int) Math.min(10, done * 10 / total);
      if (decile > lastDecile) {
        lastDecile = decile;
        out.println(line(done, total, detail));
      }
    }
  }

  synchronized void finish(long done, long total, String detail) {
    if (finished) {
      return;
    }
    if (interactive) {
      out.print("\r" + line(done, total, detail) + "\033[K\n");
    } else if (lastDecile < 10) {
      out.println(line(done, total, detail));
    }
    out.flush();
    finished = true;
  }

  String line(long done, long total, String detail) {
    double fraction = total <= 0 ? 1.0 : Math.min(1.0, (double) done / total);
    int filled = (int) Math.round(fraction * WIDTH);
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    double rate = seconds > 0 ? done / seconds : 0;
    String eta =
        done > 0 && done < total
            ? duration((total - done) / rate)
            : done >= total ? "done" : "--:--";
    return String.format(
            Locale.ROOT,
            "%-22s [%s%s] %5d/%-5d %s  %6.1f/s  %s  %s",
            label,
            "#".repeat(filled),
            "-".repeat(WIDTH - filled),
            done,
            total,
            unit,
            rate,
            done >= total ? duration(seconds) : "ETA " + eta,
            detail == null ? "" : detail)
        .stripTrailing();
  }

  static String duration(double seconds) {
    long s = Math.max(0, Math.round(seconds));
    return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
