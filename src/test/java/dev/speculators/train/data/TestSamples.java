package dev.speculators.train.data;

import dev.speculators.io.HostTensor;
import dev.speculators.io.TorchFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Writes sample files in the speculators v1 format for tests and benchmarks. */
final class TestSamples {
  private TestSamples() {}

  /**
   * Writes {@code data_<index>.pt} under {@code dir}: a dict input_ids, hidden_states (list),
   * loss_mask.
   */
  static Path write(Path dir, int index, long[] ids, List<HostTensor> states, long[] mask)
      throws IOException {
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
  static Path writeTagged(Path dir, int index, int s, int h, int layers, long seed)
      throws IOException {
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
      HostTensor bf16 = HostTensor.ofFloats(v, s, h).toBf16();
      if (!java.util.Arrays.equals(bf16.toFloatArray(), v)) {
        throw new IllegalStateException("tagged values must be exact in bf16");
      }
      states.add(bf16);
    }
    return write(dir, index, ids, states, mask);
  }

  /** A bf16-exact value identifying (sample, layer, row, column) within small ranges. */
  static float value(int sample, int layer, int row, int col) {
    // bf16 keeps 8 significant bits: the largest value, 63.5 = 111111.1b, needs 7
    return (sample % 4) * 16 + layer * 4 + (row % 4) + (col % 2) * 0.5f;
  }
}
