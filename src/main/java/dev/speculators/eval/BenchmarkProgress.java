package dev.speculators.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.io.ProgressLine;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The eval container's machine-readable progress: one {@code PROGRESS} line per finished benchmark
 * run (a dataset against the speculator, or against the baseline), which the operator turns into
 * status.progress with a rate and an ETA.
 */
public final class BenchmarkProgress {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final int total;
  private final Consumer<String> log;
  private final LongSupplier nanos;
  private final long start;
  private int completed;

  public BenchmarkProgress(int total, Consumer<String> log) {
    this(total, log, System::nanoTime);
  }

  BenchmarkProgress(int total, Consumer<String> log, LongSupplier nanos) {
    this.total = total;
    this.log = log;
    this.nanos = nanos;
    this.start = nanos.getAsLong();
  }

  /** Records one finished run and prints the progress line. */
  public void completed(String dataset, boolean baseline) {
    completed++;
    log.accept(ProgressLine.format(json(dataset, baseline)));
  }

  ObjectNode json(String dataset, boolean baseline) {
    ObjectNode p = JSON.createObjectNode();
    p.put("kind", "eval");
    p.put("dataset", dataset);
    p.put("baseline", baseline);
    p.put("benchmarksCompleted", completed);
    p.put("benchmarksTotal", total);
    double seconds = Math.max(1e-3, (nanos.getAsLong() - start) / 1e9);
    p.put("elapsedSeconds", Math.round(seconds));
    // runs over the same server take comparable time: the mean so far predicts the rest
    p.put("etaSeconds", Math.round(Math.max(0, total - completed) * seconds / completed));
    return p;
  }
}
