package dev.speculators.datagen;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.io.ProgressLine;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Prints a shard's progress line at a fixed interval: rows, rates, ETA. */
final class Progress implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ShardStats stats;
  private final long total;
  private final String label;
  private final Consumer<String> log;
  private final long startNanos = System.nanoTime();
  private final ScheduledExecutorService timer;

  Progress(ShardStats stats, long total, String label, Duration interval, Consumer<String> log) {
    this.stats = stats;
    this.total = total;
    this.label = label;
    this.log = log;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "datagen-progress");
              t.setDaemon(true);
              return t;
            });
    long ms = Math.max(100, interval.toMillis());
    timer.scheduleAtFixedRate(this::report, ms, ms, TimeUnit.MILLISECONDS);
  }

  void report() {
    log.accept(line());
    log.accept(ProgressLine.format(json()));
  }

  /** The machine-readable form the operator reads from the pod log. */
  ObjectNode json() {
    ObjectNode p = JSON.createObjectNode();
    p.put("kind", "datagen");
    p.put("label", label);
    p.put("rows", stats.done());
    p.put("totalRows", total);
    p.put("samples", stats.written.get() + stats.resumed.get());
    p.put("failedSamples", stats.failed.get());
    p.put("tokens", stats.tokensWritten.get());
    double secs = elapsedSeconds();
    p.put("elapsedSeconds", Math.round(secs));
    p.put("samplesPerSecond", ProgressLine.round3(stats.written.get() / secs));
    p.put("tokensPerSecond", ProgressLine.round3(stats.tokensWritten.get() / secs));
    Long eta = etaSeconds(secs);
    if (eta != null) {
      p.put("etaSeconds", eta);
    }
    return p;
  }

  /**
   * Seconds left at this run's rate, or null before a row was processed. Resumed rows are not
   * generated, so they do not count towards the rate.
   */
  private Long etaSeconds(double secs) {
    long done = stats.done();
    if (done >= total) {
      return 0L;
    }
    double rowsPerSecond = (done - stats.resumed.get()) / secs;
    return rowsPerSecond > 0 ? Math.round((total - done) / rowsPerSecond) : null;
  }

  private double elapsedSeconds() {
    return Math.max(1e-3, (System.nanoTime() - startNanos) / 1e9);
  }

  String line() {
    double secs = elapsedSeconds();
    long done = stats.done();
    long generated = stats.written.get();
    double samplesPerSec = generated / secs;
    double tokensPerSec = stats.tokensWritten.get() / secs;
    Long etaSeconds = etaSeconds(secs);
    String eta = etaSeconds == null ? "?" : duration(etaSeconds);
    return String.format(
        Locale.ROOT,
        "%s: %d/%d rows (%.1f%%), %d written, %d resumed, %d empty, %d failed, %.2f samples/s, %.0f tokens/s, ETA %s",
        label,
        done,
        total,
        total == 0 ? 100.0 : 100.0 * done / total,
        generated,
        stats.resumed.get(),
        stats.empty.get(),
        stats.failed.get(),
        samplesPerSec,
        tokensPerSec,
        eta);
  }

  static String duration(long seconds) {
    long h = seconds / 3600;
    long m = (seconds % 3600) / 60;
    long s = seconds % 60;
    return h > 0
        ? String.format(Locale.ROOT, "%dh%02dm%02ds", h, m, s)
        : m > 0 ? String.format(Locale.ROOT, "%dm%02ds", m, s) : s + "s";
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
