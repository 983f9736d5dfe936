package dev.speculators.train.bench;

import dev.speculators.io.ProgressLine;
import dev.speculators.train.Trainer;
import dev.speculators.train.TrainingOptions;
import dev.speculators.train.model.Precision;
import dev.speculators.train.model.TttInputs;
import dev.speculators.train.optim.LearningRateSchedule;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One measured training run: the real {@link Trainer} on a {@link SyntheticDataset}, for {@code
 * warmup + steps} optimizer steps, timed from the trainer's own progress lines (the time between
 * the end of step {@code warmup} and the end of the last step), with the process's peak resident
 * set. Run it in a fresh process so that the peak belongs to this run alone.
 */
public final class TrainBenchmark {

  /**
   * One run's numbers.
   *
   * @param tokensPerSecond row positions (T per step, padding included) per second
   * @param peakRssBytes VmHWM of the process: the most it was resident at once
   * @param memory where the memory is at the end of the run (bytes): rss, rssAnon, rssFile,
   *     heapUsed, heapCommitted, direct
   */
  public record Result(
      String label,
      double tokensPerSecond,
      double secondsPerStep,
      long peakRssBytes,
      double loss,
      Map<String, Long> memory) {}

  private TrainBenchmark() {}

  /** Trains on {@code <root>/dataset} with {@code <root>/verifier}, output under {@code out}. */
  public static Result run(
      Path root,
      Path out,
      BenchShape s,
      Precision precision,
      boolean dense,
      int warmup,
      int steps,
      String label)
      throws IOException {
    if (warmup < 1 || steps < 1) {
      throw new IllegalArgumentException(
          "--warmup and --steps must be at least 1 (the first step is never timed)");
    }
    if (warmup + steps > s.rows()) {
      throw new IllegalArgumentException(
          "the dataset has " + s.rows() + " rows: lower --warmup + --steps or raise --samples");
    }
    TrainingOptions o =
        new TrainingOptions(
            root.resolve("verifier"),
            "bench-verifier",
            root.resolve("dataset"),
            null,
            null,
            null,
            null,
            null,
            out,
            1,
            1e-4,
            0.01,
            LearningRateSchedule.Kind.LINEAR,
            -1,
            -1,
            s.seqLen(),
            s.tttSteps(),
            s.tttSteps(),
            1.0,
            TttInputs.DRAFT,
            1,
            s.draftVocab(),
            true,
            true,
            0.05,
            1.0,
            0,
            0.0,
            1,
            false,
            dense,
            2,
            1,
            warmup + steps,
            false,
            precision,
            true);
    Map<Long, Long> stepEnds = new HashMap<>();
    double[] loss = {Double.NaN};
    Trainer trainer =
        new Trainer(
            o,
            line ->
                ProgressLine.parse(line)
                    .filter(p -> "train".equals(p.path("kind").asText()))
                    .ifPresent(
                        p -> {
                          stepEnds.put(p.path("globalStep").asLong(), System.nanoTime());
                          loss[0] = p.path("loss").asDouble();
                        }));
    trainer.run();
    Long from = stepEnds.get((long) warmup);
    Long to = stepEnds.get((long) (warmup + steps));
    if (from == null || to == null) {
      throw new IllegalStateException("the trainer did not report every step: " + stepEnds);
    }
    double perStep = (to - from) / 1e9 / steps;
    return new Result(label, s.seqLen() / perStep, perStep, status("VmHWM"), loss[0], memory());
  }

  /** Where this process's memory is now (bytes). */
  public static Map<String, Long> memory() throws IOException {
    Map<String, Long> m = new java.util.LinkedHashMap<>();
    m.put("rss", status("VmRSS"));
    m.put("rssAnon", status("RssAnon"));
    m.put("rssFile", status("RssFile"));
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    m.put("heapUsed", heap.getUsed());
    m.put("heapCommitted", heap.getCommitted());
    long direct = 0;
    for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      if (pool.getName().equals("direct")) {
        direct = pool.getMemoryUsed();
      }
    }
    m.put("direct", direct);
    return m;
  }

  /** A {@code /proc/self/status} field in bytes (Linux), or -1. */
  public static long status(String field) throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) {
      return -1;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith(field + ":")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return -1;
  }
}
