package dev.speculators.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.speculators.io.dataset.SampleFile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Read throughput of a bf16 sample file, the trainer's hot path: our reader (memory-mapped
 * storages, widening into a reused direct buffer) against a naive baseline measured in the same run
 * (whole file onto the heap, zip stream parsing, per-element widening into fresh arrays).
 *
 * <p>By default a small smoke run checks that both paths produce the same floats. The real
 * benchmark (a 50 MB sample, S=2048, H=3072, 4 layers) runs with {@code -Dbench.io=true}:
 *
 * <pre>mvn -B -q test -Dtest=IoReadBenchmark -Dbench.io=true</pre>
 *
 * It prints milliseconds per read and the speed-up; it asserts nothing about time.
 */
class IoReadBenchmark {
  @TempDir Path tmp;

  record Report(long bytes, double naiveMillis, double mappedMillis) {
    double ratio() {
      return naiveMillis / mappedMillis;
    }

    String format() {
      double mb = bytes / 1e6;
      return String.format(
          Locale.ROOT,
          "bench-io: %.1f MB bf16 sample: naive %.1f ms (%.0f MB/s), mmap+widen %.1f ms (%.0f MB/s), speed-up %.1fx",
          mb,
          naiveMillis,
          mb / naiveMillis * 1e3,
          mappedMillis,
          mb / mappedMillis * 1e3,
          ratio());
    }
  }

  @Test
  void benchmark() throws Exception {
    boolean full = Boolean.getBoolean("bench.io");
    Report r = full ? run(tmp, 2048, 3072, 4, 15) : run(tmp, 128, 256, 4, 3);
    System.out.println(r.format());
    assertThat(r.naiveMillis()).isPositive();
    assertThat(r.mappedMillis()).isPositive();
  }

  static Report run(Path dir, int seqLen, int hidden, int layers, int iterations)
      throws IOException {
    Path file = dir.resolve("data_0.pt");
    long[] ids = new long[seqLen];
    long[] mask = new long[seqLen];
    List<HostTensor> states = new ArrayList<>();
    float[] values = new float[seqLen * hidden];
    for (int l = 0; l < layers; l++) {
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) Math.sin(i * 0.001 + l);
      }
      states.add(HostTensor.ofFloats(values, seqLen, hidden).toBf16());
    }
    for (int i = 0; i < seqLen; i++) {
      ids[i] = i % 1000;
      mask[i] = i % 2;
    }
    new SampleFile(HostTensor.ofLongs(ids), states, HostTensor.ofLongs(mask)).write(file);
    long bytes = (long) seqLen * hidden * 2 * layers;

    FloatBuffer reused =
        ByteBuffer.allocateDirect(seqLen * hidden * 4 * layers)
            .order(ByteOrder.nativeOrder())
            .asFloatBuffer();
    float[][] naiveResult = new float[1][];
    double naive = time(iterations, () -> naiveResult[0] = naiveRead(file, layers));
    double mapped =
        time(
            iterations,
            () -> {
              reused.clear();
              for (HostTensor h : SampleFile.read(file).hiddenStates()) {
                h.copyFloatsTo(reused);
              }
            });
    float[] ours = new float[reused.flip().remaining()];
    reused.get(ours);
    if (!Arrays.equals(ours, naiveResult[0])) {
      throw new AssertionError("the two read paths disagree");
    }
    return new Report(bytes, naive, mapped);
  }

  /** The straightforward approach: read everything, walk the zip, widen element by element. */
  private static float[] naiveRead(Path file, int layers) throws IOException {
    byte[] whole = Files.readAllBytes(file);
    List<float[]> parts = new ArrayList<>();
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(whole))) {
      ZipEntry e;
      while ((e = zip.getNextEntry()) != null) {
        String name = e.getName();
        int key =
            name.contains("/data/")
                ? Integer.parseInt(name.substring(name.lastIndexOf('/') + 1))
                : -1;
        if (key >= 1 && key <= layers) { // storages 1..L are the hidden states
          ByteBuffer b = ByteBuffer.wrap(readAll(zip)).order(ByteOrder.LITTLE_ENDIAN);
          float[] f = new float[b.remaining() / 2];
          for (int i = 0; i < f.length; i++) {
            f[i] = HalfFloats.bf16ToFloat(b.getShort(i * 2));
          }
          parts.add(f);
        }
      }
    }
    int total = parts.stream().mapToInt(p -> p.length).sum();
    float[] out = new float[total];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  private static byte[] readAll(InputStream in) throws IOException {
    return in.readAllBytes();
  }

  interface Body {
    void run() throws IOException;
  }

  /** Median milliseconds of {@code iterations} runs after as many warm-up runs. */
  private static double time(int iterations, Body body) throws IOException {
    for (int i = 0; i < iterations; i++) {
      body.run();
    }
    double[] ms = new double[iterations];
    for (int i = 0; i < iterations; i++) {
      long t = System.nanoTime();
      body.run();
      ms[i] = (System.nanoTime() - t) / 1e6;
    }
    Arrays.sort(ms);
    return ms[iterations / 2];
  }
}
