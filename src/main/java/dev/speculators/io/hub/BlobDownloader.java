package dev.speculators.io.hub;

import dev.speculators.io.StorageCheck;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Streams one file into its {@code .incomplete} sibling, resuming with an HTTP {@code Range}
 * request from whatever is already there: after a cut connection within this call, or after a
 * previous process died. A connection that delivers nothing for the stall timeout is treated as
 * cut. Progress is reported at a fixed interval.
 */
final class BlobDownloader {
  private static final ScheduledExecutorService WATCHDOG =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "hub-download-watchdog");
            t.setDaemon(true);
            return t;
          });

  private final HubHttp http;
  private final int attempts;
  private final Duration stallTimeout;
  private final Duration progressInterval;
  private final Consumer<String> log;

  BlobDownloader(
      HubHttp http,
      int attempts,
      Duration stallTimeout,
      Duration progressInterval,
      Consumer<String> log) {
    this.http = http;
    this.attempts = Math.max(1, attempts);
    this.stallTimeout = stallTimeout;
    this.progressInterval = progressInterval;
    this.log = log;
  }

  /** Downloads {@code url} into {@code partial} until it is complete and verified. */
  void download(URI url, Path partial, ContentCheck check, HubTarget target) throws IOException {
    String label = target.repoId() + "/" + target.filename();
    long expected = check.expectedSize();
    long startedAt = System.nanoTime();
    long startBytes = Files.exists(partial) ? Files.size(partial) : 0;
    if (startBytes > 0) {
      log.accept(
          "resuming "
              + label
              + " from "
              + StorageCheck.human(startBytes)
              + (expected >= 0 ? " of " + StorageCheck.human(expected) : ""));
    } else {
      log.accept(
          "downloading "
              + label
              + (expected >= 0 ? " (" + StorageCheck.human(expected) + ")" : ""));
    }
    IOException lastCut = null;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) {
        http.pause(attempt - 1);
      }
      long have = Files.exists(partial) ? Files.size(partial) : 0;
      if (expected >= 0 && have > expected) {
        Files.delete(partial);
        have = 0;
      }
      if (expected >= 0 && have == expected && have > 0) {
        break;
      }
      try {
        boolean complete = attempt(url, partial, have, check, target, label);
        if (complete) {
          lastCut = null;
          break;
        }
        lastCut = new IOException("the server ended the body early");
      } catch (HfHubUnreachableException | StreamCut e) {
        lastCut = e;
      }
      long now = Files.exists(partial) ? Files.size(partial) : 0;
      log.accept(
          "download of "
              + label
              + " interrupted at "
              + StorageCheck.human(now)
              + " ("
              + lastCut.getMessage()
              + "); "
              + (attempt < attempts
                  ? "resuming (attempt " + (attempt + 1) + " of " + attempts + ")"
                  : "giving up"));
    }
    if (lastCut != null) {
      throw new HfHubException(
          "download of "
              + label
              + " failed after "
              + attempts
              + " attempts: "
              + lastCut.getMessage()
              + "; the partial file is kept and the next run resumes it",
          lastCut);
    }
    long size = Files.size(partial);
    try {
      check.verify(label, partial);
    } catch (HfHubException e) {
      Files.deleteIfExists(partial);
      throw e;
    }
    double seconds = (System.nanoTime() - startedAt) / 1e9;
    log.accept(
        String.format(
            Locale.ROOT,
            "downloaded %s (%s in %.1f s, %s/s)",
            label,
            StorageCheck.human(size),
            seconds,
            StorageCheck.human((long) ((size - startBytes) / Math.max(seconds, 1e-3)))));
  }

  /**
   * One HTTP request. Returns true when the body ended at the expected size (or, size unknown,
   * ended cleanly); throws {@link StreamCut} when the connection broke or stalled.
   */
  private boolean attempt(
      URI url, Path partial, long have, ContentCheck check, HubTarget target, String label)
      throws IOException {
    HttpResponse<InputStream> response = http.openStream(url, have);
    int status = response.statusCode();
    try (InputStream body = response.body()) {
      boolean append;
      if (status == 206 && have > 0 && rangeStartsAt(response, have)) {
        append = true;
      } else if (status == 200) {
        append = false;
      } else if (status == 416 || status == 206) {
        // The server cannot continue where we are: start over with a whole-file request.
        Files.deleteIfExists(partial);
        throw new StreamCut("the server refused to resume (HTTP " + status + ")", null);
      } else if (http.isTransient(status)) {
        throw new StreamCut("HTTP " + status, null);
      } else {
        http.failUnlessOk(status, response.headers(), target, response.uri());
        throw new HfHubException(
            "unexpected HTTP " + status + " for " + response.uri(), status, null);
      }
      check.restart(append ? partial : null);
      return copy(body, partial, append, check, label);
    }
  }

  private boolean copy(
      InputStream body, Path partial, boolean append, ContentCheck check, String label)
      throws IOException {
    long expected = check.expectedSize();
    AtomicLong written = new AtomicLong(append ? Files.size(partial) : 0);
    AtomicLong lastProgressNanos = new AtomicLong(System.nanoTime());
    AtomicBoolean stalled = new AtomicBoolean();
    long[] lastReport = {System.nanoTime(), written.get()};
    // Closing the body from another thread is what unblocks a read on a silent connection (the
    // JDK client's body stream ignores interrupts); the read then sees the end of the stream.
    ScheduledFuture<?> watchdog =
        WATCHDOG.scheduleAtFixedRate(
            () -> {
              long idle = System.nanoTime() - lastProgressNanos.get();
              if (idle > stallTimeout.toNanos() && stalled.compareAndSet(false, true)) {
                closeQuietly(body);
              }
            },
            100,
            100,
            TimeUnit.MILLISECONDS);
    StandardOpenOption mode =
        append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
    try (OutputStream out =
        Files.newOutputStream(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode)) {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = body.read(buf)) >= 0) {
        if (n == 0) {
          continue;
        }
        out.write(buf, 0, n);
        check.update(buf, 0, n);
        long total = written.addAndGet(n);
        long now = System.nanoTime();
        lastProgressNanos.set(now);
        if (now - lastReport[0] >= progressInterval.toNanos()) {
          double rate = (total - lastReport[1]) / ((now - lastReport[0]) / 1e9);
          log.accept(progressLine(label, total, expected, rate));
          lastReport[0] = now;
          lastReport[1] = total;
        }
      }
    } catch (IOException e) {
      if (!stalled.get()) {
        throw new StreamCut(
            e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()),
            e);
      }
    } finally {
      watchdog.cancel(false);
    }
    if (stalled.get()) {
      throw new StreamCut(
          String.format(Locale.ROOT, "no data for %.1f s", stallTimeout.toMillis() / 1000.0), null);
    }
    return expected < 0 || written.get() == expected;
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // the attempt is abandoned either way
    }
  }

  private static boolean rangeStartsAt(HttpResponse<?> response, long have) {
    // Content-Range: bytes 100-999/1000
    return response
        .headers()
        .firstValue("Content-Range")
        .map(v -> v.trim().startsWith("bytes " + have + "-"))
        .orElse(false);
  }

  static String progressLine(String label, long done, long total, double bytesPerSecond) {
    if (total > 0) {
      return String.format(
          Locale.ROOT,
          "%s: %.0f%% (%s of %s, %s/s)",
          label,
          100.0 * done / total,
          StorageCheck.human(done),
          StorageCheck.human(total),
          StorageCheck.human((long) bytesPerSecond));
    }
    return String.format(
        Locale.ROOT,
        "%s: %s (%s/s)",
        label,
        StorageCheck.human(done),
        StorageCheck.human((long) bytesPerSecond));
  }

  /** The body ended before the file did; the next attempt resumes. */
  static final class StreamCut extends IOException {
    StreamCut(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
