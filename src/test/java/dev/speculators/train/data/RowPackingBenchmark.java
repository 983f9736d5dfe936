package dev.speculators.train.data;

import dev.speculators.io.AtomicFiles;
import dev.speculators.io.DType;
import dev.speculators.io.HostTensor;
import dev.speculators.io.dataset.SampleFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Throughput of row packing at production size: bf16 samples with {@code H = 4096} and four
 * captured layers (Llama-3-8B), rows of {@code T = 8192}. Not a test: run it as a program.
 *
 * <pre>
 * mvn -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Xmx2g -XX:MaxDirectMemorySize=8g -cp target/classes:target/test-classes:$(cat target/cp.txt) \
 *     dev.speculators.train.data.RowPackingBenchmark [H] [T] [rows] [dir]
 * </pre>
 *
 * <p>The baseline, measured in the same run on the same files, is the plain widening of the same
 * bf16 tensors into a direct buffer with {@link HostTensor#copyFloatsTo(FloatBuffer)} (contiguous,
 * no interleaving, no shift). Each packer result is reported as rows/s and as a ratio to it. The
 * samples are read from the page cache after the first pass (the numbers are CPU cost, not disk).
 */
public final class RowPackingBenchmark {
  private RowPackingBenchmark() {}

  public static void main(String[] args) throws Exception {
    int h = args.length > 0 ? Integer.parseInt(args[0]) : 4096;
    int t = args.length > 1 ? Integer.parseInt(args[1]) : 8192;
    int rows = args.length > 2 ? Integer.parseInt(args[2]) : 12;
    Path dir = args.length > 3 ? Path.of(args[3]) : Files.createTempDirectory("row-packing-bench");
    int perRow = 4;
    int sampleTokens = t / perRow + 1; // four shifted samples fill a row exactly
    int files = 8;
    System.out.printf(
        Locale.ROOT,
        "H=%d T=%d layers=4 bf16, %d files of S=%d (%.0f MB each), %d rows per pass%n",
        h,
        t,
        files,
        sampleTokens,
        4.0 * sampleTokens * h * 2 / 1e6,
        rows);
    Path data = Files.createDirectories(dir.resolve("data"));
    try {
      for (int i = 0; i < files; i++) {
        writeSample(data, i, sampleTokens, h, 17 + i);
      }
      SpeculatorsDataset ds = SpeculatorsDataset.open(dir);
      List<int[]> rowSamples = new ArrayList<>();
      for (int r = 0; r < rows; r++) {
        int[] s = new int[perRow];
        for (int k = 0; k < perRow; k++) {
          s[k] = (r * perRow + k) % files;
        }
        rowSamples.add(s);
      }

      double baseline = best(3, () -> baseline(ds, rowSamples, t, h));
      report("baseline: widen the same tensors (HostTensor.copyFloatsTo)", baseline, baseline);
      double packer = best(3, () -> packDirect(ds, rowSamples, t, h, UniformNoise.none()));
      report("RowPacker, 1 thread, no noise", packer, baseline);
      double noisy = best(3, () -> packDirect(ds, rowSamples, t, h, UniformNoise.of(0.05, 0)));
      report("RowPacker, 1 thread, noise 0.05", noisy, baseline);
      int cores = Runtime.getRuntime().availableProcessors();
      for (int workers : new int[] {1, 2, 4}) {
        if (workers > 1 && workers > cores) {
          continue;
        }
        int w = workers;
        double loader = best(2, () -> loader(ds, rowSamples, t, w, UniformNoise.of(0.05, 0)));
        report(
            "RowLoader, prefetch " + Math.max(2, w) + ", " + w + " worker(s), noise 0.05",
            loader,
            baseline);
      }
      System.out.printf(Locale.ROOT, "(%d cores available)%n", cores);
      Path maps = Path.of("/proc/self/maps");
      if (Files.isReadable(maps)) {
        // mapped sample storages are released by the garbage collector; this shows they are
        System.out.printf(
            Locale.ROOT,
            "memory mappings of the process at the end: %d%n",
            Files.readAllLines(maps).size());
      }
    } finally {
      if (args.length <= 3) {
        AtomicFiles.deleteRecursively(dir);
      }
    }
  }

  interface Pass {
    double rowsPerSecond() throws Exception;
  }

  private static double best(int repeats, Pass pass) throws Exception {
    pass.rowsPerSecond(); // warm-up: JIT and page cache
    double best = 0;
    for (int i = 0; i < repeats; i++) {
      best = Math.max(best, pass.rowsPerSecond());
    }
    return best;
  }

  private static void report(String what, double rowsPerSecond, double baseline) {
    System.out.printf(
        Locale.ROOT,
        "%-62s %7.2f rows/s  %8.0f tokens/s  x%.2f of baseline%n",
        what,
        rowsPerSecond,
        rowsPerSecond * 8192,
        rowsPerSecond / baseline);
  }

  private static double baseline(SpeculatorsDataset ds, List<int[]> rows, int t, int h)
      throws IOException {
    FloatBuffer aux =
        ByteBuffer.allocateDirect(t * h * 3 * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
    FloatBuffer last =
        ByteBuffer.allocateDirect(t * h * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
    long start = System.nanoTime();
    double sink = 0;
    for (int[] row : rows) {
      aux.clear();
      last.clear();
      for (int s : row) {
        List<HostTensor> states = SampleFile.read(ds.file(s)).hiddenStates();
        long n = states.get(0).dim(0) - 1;
        for (int l = 0; l < 3; l++) {
          states.get(l).slice0(0, n).copyFloatsTo(aux);
        }
        states.get(3).slice0(1, n + 1).copyFloatsTo(last);
      }
      sink += aux.get(7) + last.get(7);
    }
    return rate(rows.size(), start, sink);
  }

  private static double packDirect(
      SpeculatorsDataset ds, List<int[]> rows, int t, int h, UniformNoise noise)
      throws IOException {
    PackedRow row = new PackedRow(t, h, 3);
    RowPacker packer = new RowPacker(noise);
    long start = System.nanoTime();
    double sink = 0;
    for (int[] s : rows) {
      List<AlignedSample> docs = new ArrayList<>();
      for (int i : s) {
        docs.add(ds.load(i));
      }
      packer.pack(docs, s, 0, row);
      sink += row.auxHiddenStates().get(7);
    }
    return rate(rows.size(), start, sink);
  }

  private static double loader(
      SpeculatorsDataset ds, List<int[]> rows, int t, int workers, UniformNoise noise) {
    long start = System.nanoTime();
    double sink = 0;
    try (RowLoader loader =
        RowLoader.builder(ds)
            .rowLength(t)
            .noise(noise)
            .prefetch(Math.max(2, workers))
            .workers(workers)
            .open(rows, 0)) {
      while (loader.hasNext()) {
        sink += loader.next().verifierLastHiddenStates().get(3);
      }
    }
    return rate(rows.size(), start, sink);
  }

  private static double rate(int rows, long startNanos, double sink) {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    if (Double.isNaN(sink)) {
      System.out.print("");
    }
    return rows / seconds;
  }

  /** A sample with random bf16 states in [-2, 2], written without holding float copies. */
  private static void writeSample(Path data, int index, int s, int h, long seed)
      throws IOException {
    long[] ids = new long[s];
    long[] mask = new long[s];
    long x = seed * 0x9E3779B97F4A7C15L + 1;
    for (int i = 0; i < s; i++) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
      ids[i] = Math.floorMod(x, 128000);
      mask[i] = i % 4 == 0 ? 0 : 1;
    }
    List<HostTensor> states = new ArrayList<>();
    for (int l = 0; l < 4; l++) {
      ByteBuffer b = ByteBuffer.allocate(s * h * 2).order(ByteOrder.LITTLE_ENDIAN);
      for (int e = 0; e < s * h; e += 4) {
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        for (int k = 0; k < 4; k++) {
          int bits = (int) (x >>> (16 * k)) & 0xFFFF;
          // keep sign and mantissa, force an exponent of 126 or 127 (|v| in [0.5, 2))
          b.putShort((short) ((bits & 0x807F) | ((126 + ((bits >>> 7) & 1)) << 7)));
        }
      }
      b.flip();
      states.add(HostTensor.of(DType.BF16, new long[] {s, h}, b));
    }
    TestSamples.write(data, index, ids, states, mask);
  }
}
