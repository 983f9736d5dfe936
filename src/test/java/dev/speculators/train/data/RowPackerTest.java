package dev.speculators.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.speculators.io.HostTensor;
import dev.speculators.io.SafeTensorsFile;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RowPackerTest {
  private static final Path FIXTURES = Path.of("src/test/resources/fixtures");
  private static final Path REFERENCE =
      Path.of("src/test/resources/train/packed_speculators_data.safetensors");

  private static float[] floats(FloatBuffer b) {
    float[] out = new float[b.remaining()];
    b.get(out);
    return out;
  }

  private static PackedRow pack(
      SpeculatorsDataset ds, int t, int[] order, UniformNoise noise, int epoch) throws IOException {
    List<AlignedSample> docs = new ArrayList<>();
    for (int i : order) {
      docs.add(ds.load(i));
    }
    PackedRow row = new PackedRow(t, ds.hiddenSize(), ds.auxLayerCount());
    new RowPacker(noise).pack(docs, order, epoch, row);
    return row;
  }

  @ParameterizedTest
  @ValueSource(strings = {"t128_order_0_1_2", "t64_order_1_0_2", "t87_order_2_0_1"})
  void packingTheFixtureSamplesMatchesTheTorchReference(String name) throws IOException {
    SpeculatorsDataset ds = SpeculatorsDataset.open(FIXTURES.resolve("speculators-data"));
    try (SafeTensorsFile ref = dev.speculators.io.SafeTensors.open(REFERENCE)) {
      int t = (int) ref.get(name + ".row_length").toLongArray()[0];
      int[] order = ref.get(name + ".order").toIntArray();
      PackedRow row = pack(ds, t, order, UniformNoise.none(), 0);

      assertThat(row.inputIds()).containsExactly(ref.get(name + ".input_ids").toLongArray());
      assertThat(row.lossMask()).containsExactly(ref.get(name + ".loss_mask").toLongArray());
      assertThat(row.positionIds()).containsExactly(ref.get(name + ".position_ids").toLongArray());
      assertThat(row.lengths()).containsExactly(ref.get(name + ".lengths").toLongArray());
      assertThat(floats(row.auxHiddenStates()))
          .containsExactly(ref.get(name + ".hidden_states").toFloatArray());
      assertThat(floats(row.verifierLastHiddenStates()))
          .containsExactly(ref.get(name + ".verifier_last_hidden_states").toFloatArray());
      assertThat(row.tokens()).isEqualTo((int) java.util.Arrays.stream(row.lengths()).sum());
    }
  }

  /**
   * The golden batches were packed by upstream's own collate function from sample files that are
   * not shipped. Sample files that shift into exactly those documents are rebuilt here (the dropped
   * first token / last state get arbitrary values), and packing them must give the upstream batch
   * bit for bit.
   */
  @ParameterizedTest
  @ValueSource(strings = {"case_basic", "case_two_layers"})
  void rebuiltSamplesPackIntoTheUpstreamGoldenBatch(String caseName, @TempDir Path dir)
      throws IOException {
    Path data = Files.createDirectories(dir.resolve("data"));
    try (SafeTensorsFile batch =
        dev.speculators.io.SafeTensors.open(
            FIXTURES.resolve("eagle3/" + caseName + "/batch.safetensors"))) {
      long[] ids = batch.get("input_ids").toLongArray();
      long[] mask = batch.get("loss_mask").toLongArray();
      long[] lengths = batch.get("lengths").toLongArray();
      HostTensor aux = batch.get("hidden_states");
      HostTensor last = batch.get("verifier_last_hidden_states");
      int t = ids.length;
      int w = (int) aux.dim(2);
      int h = (int) last.dim(2);
      HostTensor aux2 = aux.reshape(t, w);
      HostTensor last2 = last.reshape(t, h);
      int start = 0;
      for (int d = 0; d < lengths.length; d++) {
        int n = (int) lengths[d];
        int s = n + 1;
        long[] x = new long[s];
        long[] m = new long[s];
        x[0] = 1; // dropped by the shift
        System.arraycopy(ids, start, x, 1, n);
        System.arraycopy(mask, start, m, 1, n);
        float[] auxRows = aux2.slice0(start, start + n).toFloatArray();
        float[] lastRows = last2.slice0(start, start + n).toFloatArray();
        List<HostTensor> states = new ArrayList<>();
        for (int l = 0; l < w / h; l++) {
          float[] v = new float[s * h];
          for (int i = 0; i < n; i++) {
            System.arraycopy(auxRows, i * w + l * h, v, i * h, h);
          }
          java.util.Arrays.fill(v, n * h, s * h, 0.5f); // the last aux row is dropped by the shift
          states.add(exactBf16(v, s, h));
        }
        float[] y = new float[s * h];
        java.util.Arrays.fill(y, 0, h, -0.25f); // the first target row is dropped by the shift
        System.arraycopy(lastRows, 0, y, h, n * h);
        states.add(exactBf16(y, s, h));
        TestSamples.write(data, d, x, states, m);
        start += n;
      }

      SpeculatorsDataset ds = SpeculatorsDataset.open(dir);
      int[] order = new int[lengths.length];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      PackedRow row = pack(ds, t, order, UniformNoise.none(), 0);
      assertThat(row.inputIds()).containsExactly(ids);
      assertThat(row.lossMask()).containsExactly(mask);
      assertThat(row.positionIds()).containsExactly(batch.get("position_ids").toLongArray());
      assertThat(row.lengths()).containsExactly(lengths);
      assertThat(floats(row.auxHiddenStates())).containsExactly(aux.toFloatArray());
      assertThat(floats(row.verifierLastHiddenStates())).containsExactly(last.toFloatArray());
    }
  }

  private static HostTensor exactBf16(float[] v, int s, int h) {
    HostTensor bf = HostTensor.ofFloats(v, s, h).toBf16();
    assertThat(bf.toFloatArray()).as("golden values are bf16-exact").containsExactly(v);
    return bf;
  }

  @Test
  void aDocumentLongerThanTheRowIsCutAndLaterOnesAreDropped(@TempDir Path dir) throws IOException {
    Path data = Files.createDirectories(dir.resolve("data"));
    TestSamples.writeTagged(data, 0, 5, 4, 4, 1); // 4 positions
    TestSamples.writeTagged(data, 1, 12, 4, 4, 2); // 11 positions, only 6 fit
    TestSamples.writeTagged(data, 2, 3, 4, 4, 3); // does not fit at all
    SpeculatorsDataset ds = SpeculatorsDataset.open(dir);
    PackedRow row = pack(ds, 10, new int[] {0, 1, 2}, UniformNoise.none(), 0);
    assertThat(row.lengths()).containsExactly(4, 6);
    assertThat(row.samples()).containsExactly(0, 1);
    assertThat(row.tokens()).isEqualTo(10);
    assertThat(row.positionIds()).containsExactly(1, 2, 3, 4, 1, 2, 3, 4, 5, 6);
    float[] aux = floats(row.auxHiddenStates());
    float[] last = floats(row.verifierLastHiddenStates());
    // position 4 is sample 1, shifted index 0: aux rows i = 0, target row i + 1 = 1
    for (int k = 0; k < 4; k++) {
      for (int l = 0; l < 3; l++) {
        assertThat(aux[4 * 12 + l * 4 + k]).isEqualTo(TestSamples.value(1, l, 0, k));
      }
      assertThat(last[4 * 4 + k]).isEqualTo(TestSamples.value(1, 3, 1, k));
      // last position: sample 1, shifted index 5
      assertThat(aux[9 * 12 + 2 * 4 + k]).isEqualTo(TestSamples.value(1, 2, 5, k));
      assertThat(last[9 * 4 + k]).isEqualTo(TestSamples.value(1, 3, 6, k));
    }
    // the document that reaches T exactly is kept whole, nothing after it
    PackedRow exact = pack(ds, 15, new int[] {1, 0, 2}, UniformNoise.none(), 0);
    assertThat(exact.lengths()).containsExactly(11, 4);
  }

  @Test
  void paddingIsZeroEvenWhenTheBufferHeldALongerRowBefore(@TempDir Path dir) throws IOException {
    Path data = Files.createDirectories(dir.resolve("data"));
    TestSamples.writeTagged(data, 0, 20, 8, 4, 1);
    TestSamples.writeTagged(data, 1, 4, 8, 4, 2);
    SpeculatorsDataset ds = SpeculatorsDataset.open(dir);
    PackedRow row = new PackedRow(16, 8, 3);
    RowPacker packer = new RowPacker(UniformNoise.none());
    packer.pack(List.of(ds.load(0)), new int[] {0}, 0, row);
    assertThat(row.tokens()).isEqualTo(16);
    packer.pack(List.of(ds.load(1)), new int[] {1}, 0, row);
    assertThat(row.lengths()).containsExactly(3);
    float[] aux = floats(row.auxHiddenStates());
    float[] last = floats(row.verifierLastHiddenStates());
    for (int p = 3; p < 16; p++) {
      assertThat(row.inputIds()[p]).isZero();
      assertThat(row.lossMask()[p]).isZero();
      assertThat(row.positionIds()[p]).isZero();
      for (int k = 0; k < 24; k++) {
        assertThat(aux[p * 24 + k]).as("aux padding at %d", p).isZero();
      }
      for (int k = 0; k < 8; k++) {
        assertThat(last[p * 8 + k]).as("last padding at %d", p).isZero();
      }
    }
    assertThat(aux[2 * 24]).isEqualTo(TestSamples.value(1, 0, 2, 0));
  }

  @Test
  void noiseTouchesOnlyTheAuxStatesWithinStdAndIsReproducible() throws IOException {
    SpeculatorsDataset ds = SpeculatorsDataset.open(FIXTURES.resolve("speculators-data"));
    int[] order = {0, 1, 2};
    PackedRow clean = pack(ds, 128, order, UniformNoise.none(), 0);
    PackedRow noisy = pack(ds, 128, order, UniformNoise.of(0.05, 7), 3);
    PackedRow again = pack(ds, 128, order, UniformNoise.of(0.05, 7), 3);
    PackedRow otherEpoch = pack(ds, 128, order, UniformNoise.of(0.05, 7), 4);

    float[] c = floats(clean.auxHiddenStates());
    float[] n = floats(noisy.auxHiddenStates());
    int real = clean.tokens() * 192;
    double sum = 0;
    double maxAbs = 0;
    for (int i = 0; i < real; i++) {
      double d = n[i] - c[i];
      sum += d;
      maxAbs = Math.max(maxAbs, Math.abs(d));
    }
    assertThat(maxAbs).isLessThanOrEqualTo(0.05 + 1e-6).isGreaterThan(0.04);
    assertThat(sum / real).isBetween(-0.002, 0.002); // mean of U(-0.05, 0.05) over 22k values
    for (int i = real; i < c.length; i++) {
      assertThat(n[i]).as("padding stays zero").isZero();
    }
    assertThat(floats(noisy.verifierLastHiddenStates()))
        .containsExactly(floats(clean.verifierLastHiddenStates()));
    assertThat(floats(again.auxHiddenStates())).containsExactly(n);
    assertThat(floats(otherEpoch.auxHiddenStates())).isNotEqualTo(n);
    assertThat(noisy.inputIds()).containsExactly(clean.inputIds());
  }

  @Test
  void statesStoredInFloat32AndFloat16AreWidenedExactly(@TempDir Path dir) throws IOException {
    Path data = Files.createDirectories(dir.resolve("data"));
    float[] v = new float[3 * 2];
    for (int i = 0; i < v.length; i++) {
      v[i] = 0.125f * i - 0.3f;
    }
    HostTensor f32 = HostTensor.ofFloats(v, 3, 2);
    HostTensor f16 = f32.toF16();
    float[] h = f16.toFloatArray();
    TestSamples.write(data, 0, new long[] {5, 6, 7}, List.of(f32, f32, f32), new long[] {0, 1, 1});
    TestSamples.write(data, 1, new long[] {5, 6, 7}, List.of(f16, f16, f16), new long[] {0, 1, 1});
    SpeculatorsDataset ds = SpeculatorsDataset.open(dir);
    PackedRow single = pack(ds, 4, new int[] {0}, UniformNoise.none(), 0);
    assertThat(floats(single.auxHiddenStates()))
        .startsWith(v[0], v[1], v[0], v[1], v[2], v[3], v[2], v[3]);
    assertThat(floats(single.verifierLastHiddenStates())).startsWith(v[2], v[3], v[4], v[5]);
    assertThat(single.inputIds()).containsExactly(6, 7, 0, 0);
    PackedRow half = pack(ds, 4, new int[] {1}, UniformNoise.none(), 0);
    assertThat(floats(half.auxHiddenStates()))
        .startsWith(h[0], h[1], h[0], h[1], h[2], h[3], h[2], h[3]);
    assertThat(floats(half.verifierLastHiddenStates())).startsWith(h[2], h[3], h[4], h[5]);
  }

  @Test
  void aSampleOfAnotherWidthIsRejectedNamingItsFile(@TempDir Path dir) throws IOException {
    Path data = Files.createDirectories(dir.resolve("data"));
    TestSamples.writeTagged(data, 0, 6, 4, 4, 1);
    Path odd = TestSamples.writeTagged(data, 1, 6, 8, 4, 1);
    SpeculatorsDataset ds = SpeculatorsDataset.open(dir);
    assertThatThrownBy(() -> ds.load(1))
        .isInstanceOf(InvalidSampleException.class)
        .hasMessageContaining(odd.toString())
        .hasMessageContaining("hidden size 8");
    AlignedSample wide =
        AlignedSample.of(
            odd,
            HostTensor.ofLongs(new long[] {1, 2}, 2),
            List.of(
                HostTensor.ofFloats(new float[16], 2, 8), HostTensor.ofFloats(new float[16], 2, 8)),
            HostTensor.ofLongs(new long[] {0, 1}, 2));
    assertThatThrownBy(
            () ->
                new RowPacker(UniformNoise.none())
                    .pack(List.of(wide), new int[] {1}, 0, new PackedRow(4, 4, 3)))
        .isInstanceOf(InvalidSampleException.class)
        .hasMessageContaining(odd.toString());
  }
}
