package dev.speculators.train.data;

import dev.speculators.io.DType;
import dev.speculators.io.HostTensor;
import dev.speculators.io.TorchFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Writes sample files in the speculators v1 format for tests and benchmarks. */
final class TestSamples {
  private TestSamples() {}

  /** Writes {@code data_<index>.pt} under {@code dir}: a dict input_ids, hidden_states (list), loss_mask. */
  static Path write(Path dir, int index, long[] ids, List<HostTensor> states, long[] mask) throws IOException {
    Map<String, Object> sample = new LinkedHashMap<>();
    sample.put("input_ids", HostTensor.ofLongs(ids, ids.length));
    sample.put("hidden_states", new ArrayList<>(states));
    sample.put("loss_mask", HostTensor.ofLongs(mask, mask.length));
    Path file = dir.resolve("data_" + index + ".pt");
    TorchFiles.save(file, sample);
    return file;
  }

  /**
   * A random sample of {@code s} tokens with {@code layers} bf16 states of size {@code h} whose
   * values encode where they are: state {@code l}, row {@code i}, column {@code k} is {@code
   * value(sampleTag, l, i, k)} (exactly representable in bf16).
   */
  static Path writeTagged(Path dir, int index, int s, int h, int layers, long seed) throws IOException {
    Random r = new Random(seed);
    long[] ids = new long[s];
    long[] mask = new long[s];
    for (int i = 0; i < s; i++) {
      ids[i] = r.nextInt(1000);
      mask[i] = r.nextInt(2);
    }
    List<HostTensor> states = new ArrayList<>();
    for (int l = 0; l < layers; l++) {
      float[] v = new float[s * h];
      for (int i = 0; i < s; i++) {
        for (int k = 0; k < h; k++) {
          v[i * h + k] = value(index, l, i, k);
        }
      }
      states.add(HostTensor.ofFloats(v, s, h).toBf16());
    }
    return write(dir, index, ids, states, mask);
  }

  /** A bf16-exact value identifying (sample, layer, row, column) within small ranges. */
  static float value(int sample, int layer, int row, int col) {
    // 8 significant bits survive bf16: keep every term small and the sum a short binary fraction
    return (sample % 8) * 16 + layer * 4 + (row % 4) + (col % 4) * 0.25f;
  }

  /** Random bf16 noise-like sample of {@code s x h} per layer, written with raw bits (fast). */
  static Path writeRandomBf16(Path dir, int index, int s, int h, int layers, long seed) throws IOException {
    Random r = new Random(seed);
    long[] ids = new long[s];
    long[] mask = new long[s];
    for (int i = 0; i < s; i++) {
      ids[i] = r.nextInt(128000);
      mask[i] = i % 3 == 0 ? 0 : 1;
    }
    List<HostTensor> states = new ArrayList<>();
    for (int l = 0; l < layers; l++) {
      ByteBuffer b = ByteBuffer.allocate(s * h * 2).order(ByteOrder.LITTLE_ENDIAN);
      for (int e = 0; e < s * h; e++) {
        // bf16 of a float in roughly [-2, 2]: sign, exponent 126..127, random mantissa
        int bits = (r.nextBoolean() ? 0x8000 : 0) | ((126 + r.nextInt(2)) << 7) | r.nextInt(128);
        b.putShort((short) bits);
      }
      b.flip();
      states.add(HostTensor.of(DType.BF16, new long[] {s, h}, b));
    }
    return write(dir, index, ids, states, mask);
  }
}
