package dev.speculators.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RowLoaderTest {
  private static final int T = 64;
  @TempDir static Path root;
  private static SpeculatorsDataset dataset;

  @BeforeAll
  static void writeDataset() throws IOException {
    Path data = Files.createDirectories(root.resolve("data"));
    java.util.Random r = new java.util.Random(3);
    for (int i = 0; i < 40; i++) {
      TestSamples.writeTagged(data, i, 2 + r.nextInt(50), 8, 4, i);
    }
    dataset = SpeculatorsDataset.open(root);
  }

  /** What a row holds, copied out of the reused buffers. */
  record Snapshot(
      long[] ids,
      long[] mask,
      long[] pos,
      long[] lengths,
      int[] samples,
      float[] aux,
      float[] last) {
    static Snapshot of(PackedRow r) {
      return new Snapshot(
          r.inputIds().clone(),
          r.lossMask().clone(),
          r.positionIds().clone(),
          r.lengths(),
          r.samples(),
          floats(r.auxHiddenStates()),
          floats(r.verifierLastHiddenStates()));
    }

    void assertSame(Snapshot o) {
      assertThat(ids).containsExactly(o.ids);
      assertThat(mask).containsExactly(o.mask);
      assertThat(pos).containsExactly(o.pos);
      assertThat(lengths).containsExactly(o.lengths);
      assertThat(samples).containsExactly(o.samples);
      assertThat(aux).containsExactly(o.aux);
      assertThat(last).containsExactly(o.last);
    }
  }

  private static float[] floats(FloatBuffer b) {
    float[] out = new float[b.remaining()];
    b.get(out);
    return out;
  }

  private static Snapshot direct(int[] samples, UniformNoise noise, int epoch) throws IOException {
    List<AlignedSample> docs = new ArrayList<>();
    for (int s : samples) {
      docs.add(dataset.load(s));
    }
    PackedRow row = new PackedRow(T, 8, 3);
    new RowPacker(noise).pack(docs, samples, epoch, row);
    return Snapshot.of(row);
  }

  private static List<int[]> rowsOfEpoch(MultipackSampler sampler, int epoch) {
    return sampler.rowsForRank(epoch, 0);
  }

  @Test
  void yieldsTheRowsInOrderWithTheSameContentAsPackingDirectly() throws IOException {
    MultipackSampler sampler = new MultipackSampler(dataset.packedLengths(), T, 1, 5);
    UniformNoise noise = UniformNoise.of(0.05, 11);
    RowLoader.Builder builder =
        RowLoader.builder(dataset).rowLength(T).noise(noise).prefetch(3).workers(3);
    for (int epoch = 0; epoch < 2; epoch++) {
      List<int[]> rows = rowsOfEpoch(sampler, epoch);
      int n = 0;
      try (RowLoader loader = builder.open(rows, epoch)) {
        assertThat(loader.rowCount()).isEqualTo(rows.size());
        while (loader.hasNext()) {
          PackedRow row = loader.next();
          Snapshot.of(row).assertSame(direct(rows.get(n), noise, epoch));
          n++;
        }
        assertThatThrownBy(loader::next).isInstanceOf(java.util.NoSuchElementException.class);
      }
      assertThat(n).isEqualTo(rows.size()).isGreaterThan(10);
    }
  }

  @Test
  void theRowBeingTrainedOnIsNotOverwrittenWhileLaterRowsArePacked() throws Exception {
    List<int[]> rows = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      rows.add(new int[] {i, 39 - i});
    }
    try (RowLoader loader = RowLoader.builder(dataset).rowLength(T).prefetch(1).open(rows, 0)) {
      Set<PackedRow> buffers = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
      for (int k = 0; k < rows.size(); k++) {
        PackedRow row = loader.next();
        buffers.add(row);
        Snapshot taken = Snapshot.of(row);
        // give the background threads every chance to pack ahead into a buffer
        loader.hasNext();
        Thread.sleep(20);
        Snapshot.of(row).assertSame(taken);
        taken.assertSame(direct(rows.get(k), UniformNoise.none(), 0));
      }
      assertThat(buffers).as("prefetch 1 = two buffers in turn").hasSize(2);
    }
  }

  @Test
  void aBrokenSampleFailsTheLoadWithItsFileName(@TempDir Path dir) throws IOException {
    Path data = Files.createDirectories(dir.resolve("data"));
    for (int i = 0; i < 6; i++) {
      TestSamples.writeTagged(data, i, 10, 8, 4, i);
    }
    Files.writeString(
        data.resolve("sample_lengths.json"),
        "{\"0\": 10, \"1\": 10, \"2\": 10, \"3\": 10, \"4\": 10, \"5\": 10}");
    Files.write(data.resolve("data_4.pt"), new byte[] {'P', 'K', 3, 4, 0, 0});
    SpeculatorsDataset ds = SpeculatorsDataset.open(dir);
    List<int[]> rows = List.of(new int[] {0, 1}, new int[] {2, 3}, new int[] {4, 5});
    RowLoader loader = RowLoader.builder(ds).rowLength(32).prefetch(2).workers(2).open(rows, 0);
    assertThat(loader.next().samples()).containsExactly(0, 1);
    assertThat(loader.next().samples()).containsExactly(2, 3);
    assertThatThrownBy(loader::next)
        .isInstanceOf(DataLoadException.class)
        .hasMessageContaining("row 2 of epoch 0")
        .hasMessageContaining("sample 4")
        .hasMessageContaining("data_4.pt");
    assertThat(loader.hasNext()).isFalse();
    loader.close(); // already closed by the failure: no-op
    assertThat(loaderThreads()).isEmpty();
  }

  @Test
  void closingEarlyStopsTheThreadsAndTheBuffersServeTheNextEpoch() throws IOException {
    MultipackSampler sampler = new MultipackSampler(dataset.packedLengths(), T, 1, 1);
    RowLoader.Builder builder = RowLoader.builder(dataset).rowLength(T).prefetch(2).workers(2);
    Set<PackedRow> first = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    RowLoader loader = builder.open(rowsOfEpoch(sampler, 0), 0);
    first.add(loader.next());
    assertThatThrownBy(() -> builder.open(rowsOfEpoch(sampler, 1), 1))
        .hasMessageContaining("close the previous loader");
    loader.close();
    assertThat(loader.hasNext()).isFalse();
    assertThat(loaderThreads()).isEmpty();
    try (RowLoader next = builder.open(rowsOfEpoch(sampler, 1), 1)) {
      while (next.hasNext()) {
        PackedRow row = next.next();
        first.add(row);
      }
    }
    assertThat(first).as("three buffers, reused across epochs").hasSize(3);
  }

  @Test
  void rowsOfASamplerOverASubsetAreMappedToDatasetIndices() throws IOException {
    DatasetSplit split = DatasetSplit.of(dataset.size(), 0.25, 0);
    long[] all = dataset.packedLengths();
    long[] lengths = split.train().stream().mapToLong(i -> all[i]).toArray();
    MultipackSampler sampler = new MultipackSampler(lengths, T, 2, 3);
    try (RowLoader loader =
        RowLoader.builder(dataset).rowLength(T).open(sampler, split.train(), 0, 1)) {
      List<int[]> expected = sampler.rowsForRank(0, 1);
      int k = 0;
      while (loader.hasNext()) {
        int[] got = loader.next().samples();
        int[] want = Arrays.stream(expected.get(k++)).map(i -> split.train().get(i)).toArray();
        assertThat(got).containsExactly(Arrays.copyOf(want, got.length));
        assertThat(split.validation())
            .doesNotContainAnyElementsOf(Arrays.stream(got).boxed().toList());
      }
      assertThat(k).isEqualTo(sampler.stepsPerEpoch(0));
    }
    assertThatThrownBy(
            () -> RowLoader.builder(dataset).rowLength(32).open(sampler, split.train(), 0, 0))
        .hasMessageContaining("rows of 64 tokens");
    assertThatThrownBy(() -> RowLoader.builder(dataset).open(List.of(new int[] {40}), 0))
        .hasMessageContaining("sample index 40");
  }

  private static List<String> loaderThreads() {
    // give interrupted threads a moment to leave
    long until = System.currentTimeMillis() + 5000;
    List<String> alive;
    do {
      alive =
          Thread.getAllStackTraces().keySet().stream()
              .filter(Thread::isAlive)
              .map(Thread::getName)
              .filter(n -> n.startsWith("row-loader-") || n.startsWith("row-packer-"))
              .collect(Collectors.toList());
    } while (!alive.isEmpty() && System.currentTimeMillis() < until);
    return alive;
  }
}
