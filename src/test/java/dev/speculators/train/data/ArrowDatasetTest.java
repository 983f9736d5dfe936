package dev.speculators.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.speculators.io.DType;
import dev.speculators.io.HostTensor;
import dev.speculators.io.SafeTensors;
import dev.speculators.io.SafeTensorsFile;
import dev.speculators.io.TensorFileException;
import dev.speculators.io.dataset.HiddenStatesFile;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Datasets of speculators 0.5 and later: a preprocessed dataset written by upstream's own {@code
 * prepare_data.py} with hidden-state files as vLLM's connector writes them (see the README beside
 * the data), read back the way upstream's training reads them.
 */
class ArrowDatasetTest {
  static final Path BASE = Path.of("src/test/resources/train/speculators-0.5");
  static final Path DATA = BASE.resolve("dataset");
  static final Path UPSTREAM = BASE.resolve("upstream-samples.safetensors");

  @Test
  void everySampleIsWhatUpstreamTrainingReads() throws IOException {
    SpeculatorsDataset ds = SpeculatorsDataset.open(DATA);
    assertThat(ds.format()).isEqualTo(SpeculatorsDataset.Format.ARROW_WITH_HIDDEN_STATES);
    assertThat(ds.size()).isEqualTo(8);
    assertThat(ds.hiddenSize()).isEqualTo(64);
    assertThat(ds.capturedLayers()).isEqualTo(4);
    assertThat(ds.files().get(3).getFileName().toString()).isEqualTo("hs_3.safetensors");
    assertThat(ds.tokenFrequencyFile()).hasValue(DATA.resolve("token_freq.pt"));
    assertThat(ds.readTokenFrequencies()).isNotEmpty();
    assertThat(ds.layerIdSemantics()).isEqualTo(LayerIdSemantics.VLLM);
    // upstream's defaults for the ids vLLM captured: [2, N/2, N-3] (+ N, the final layer)
    assertThat(ds.auxLayerIds(8)).containsExactly(2, 4, 5);
    try (SafeTensorsFile up = SafeTensors.open(UPSTREAM)) {
      long[] seqLen = up.get("seq_len").toLongArray();
      for (int i = 0; i < ds.size(); i++) {
        assertThat(ds.storedLength(i)).as("seq_len of row " + i).isEqualTo(seqLen[i]);
        AlignedSample s = ds.load(i);
        int n = s.length();
        PackedRow row = new PackedRow(n, 64, 3);
        new RowPacker(UniformNoise.none()).pack(List.of(s), new int[] {i}, 0, row);
        // upstream ArrowDataset[i] through shift_batch, as its trainer sees it
        assertThat(row.inputIds()).containsExactly(up.get(i + ".input_ids").toLongArray());
        assertThat(row.lossMask()).containsExactly(up.get(i + ".loss_mask").toLongArray());
        assertThat(row.positionIds()).containsExactly(up.get(i + ".position_ids").toLongArray());
        assertThat(floats(row.auxHiddenStates()))
            .containsExactly(up.get(i + ".hidden_states").toFloatArray());
        assertThat(floats(row.verifierLastHiddenStates()))
            .containsExactly(up.get(i + ".verifier_last_hidden_states").toFloatArray());
      }
    }
  }

  @Test
  void opensFromItsHiddenStatesDirectoryToo() throws IOException {
    SpeculatorsDataset ds = SpeculatorsDataset.open(DATA.resolve("hidden_states"));
    assertThat(ds.root()).isEqualTo(DATA.toAbsolutePath());
    assertThat(ds.size()).isEqualTo(8);
  }

  @Test
  void splitsContiguouslyByRowAsUpstream() throws IOException {
    SpeculatorsDataset ds = SpeculatorsDataset.open(DATA);
    // upstream: int(8 * 0.9) = 7 training rows, whatever the seed
    DatasetSplit split = ds.split(0.1, 123);
    assertThat(split.train()).containsExactly(0, 1, 2, 3, 4, 5, 6);
    assertThat(split.validation()).containsExactly(7);
    assertThat(ds.split(0.5, 0).train()).containsExactly(0, 1, 2, 3);
    assertThat(ds.split(0.0, 0).validation()).isEmpty();
    // one sample stays in validation where upstream's cut would leave none
    assertThat(ds.split(0.01, 0).validation()).containsExactly(7);
  }

  @Test
  void rowsWithoutAFileOrWithOtherTokenIdsAreSkippedAsUpstreamDoes(@TempDir Path tmp)
      throws IOException {
    Path dir = copy(tmp);
    Files.delete(dir.resolve("hidden_states/hs_3.safetensors"));
    HiddenStatesFile f = HiddenStatesFile.read(dir.resolve("hidden_states/hs_5.safetensors"));
    long[] ids = f.tokenIds().toLongArray();
    ids[2] += 1;
    HiddenStatesFile.write(
        dir.resolve("hidden_states/hs_5.safetensors"),
        copyOf(f.hiddenStates()),
        HostTensor.ofLongs(ids, ids.length));
    List<String> log = new ArrayList<>();
    SpeculatorsDataset ds = SpeculatorsDataset.open(dir, null, log::add);
    assertThat(ds.size()).isEqualTo(6);
    assertThat(ds.files())
        .extracting(p -> p.getFileName().toString())
        .doesNotContain("hs_3.safetensors", "hs_5.safetensors");
    assertThat(log)
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("6 of 8 rows usable")
                    .contains("1 without a file (rows [3])")
                    .contains("1 whose file holds other token ids (rows [5])"));
    // the split still cuts at row int(8 * 0.9) = 7 of the dataset
    assertThat(ds.split(0.1, 0).validation()).hasSize(1);
    assertThat(ds.load(5).file().getFileName().toString()).isEqualTo("hs_7.safetensors");
  }

  @Test
  void onMissingSkipsSilentlyOrRefusesAsUpstreamsFlag(@TempDir Path tmp) throws IOException {
    Path dir = copy(tmp);
    Files.delete(dir.resolve("hidden_states/hs_3.safetensors"));
    Files.delete(dir.resolve("hidden_states/hs_6.safetensors"));

    List<String> skipLog = new ArrayList<>();
    SpeculatorsDataset skipped =
        SpeculatorsDataset.open(
            dir, null, new HiddenStatesOptions(null, MissingHiddenStates.SKIP), skipLog::add);
    assertThat(skipped.size()).isEqualTo(6);
    assertThat(skipLog).noneSatisfy(l -> assertThat(l).contains("without a file"));

    assertThatThrownBy(
            () ->
                SpeculatorsDataset.open(
                    dir, null, new HiddenStatesOptions(null, MissingHiddenStates.RAISE), l -> {}))
        .hasMessageContaining("2 of 8 rows of " + dir)
        .hasMessageContaining("(rows [3, 6])")
        .hasMessageContaining("--on-missing raise");

    assertThatThrownBy(() -> MissingHiddenStates.of("generate"))
        .hasMessageContaining("does not run vLLM during training");
    assertThatThrownBy(() -> MissingHiddenStates.of("ignore"))
        .hasMessageContaining("expected warn, skip or raise");
    assertThat(MissingHiddenStates.of("WARN")).isEqualTo(MissingHiddenStates.WARN);
  }

  @Test
  void theHiddenStatesMayLiveElsewhereAsWithUpstreamsHiddenStatesPath(@TempDir Path tmp)
      throws IOException {
    Path dir = copy(tmp.resolve("data"));
    Path elsewhere = tmp.resolve("output/hidden_states");
    Files.createDirectories(elsewhere.getParent());
    Files.move(dir.resolve("hidden_states"), elsewhere);

    SpeculatorsDataset ds =
        SpeculatorsDataset.open(dir, null, new HiddenStatesOptions(elsewhere, null), l -> {});
    SpeculatorsDataset original = SpeculatorsDataset.open(DATA);
    assertThat(ds.size()).isEqualTo(original.size());
    assertThat(ds.files()).allSatisfy(f -> assertThat(f).startsWith(elsewhere));
    AlignedSample moved = ds.load(4);
    assertThat(moved.file()).isEqualTo(elsewhere.resolve("hs_4.safetensors"));
    assertThat(moved.length()).isEqualTo(original.load(4).length());
    assertThat(moved.inputId(moved.length() - 1))
        .isEqualTo(original.load(4).inputId(moved.length() - 1));

    // a sample-file dataset has no such folder: the options are refused, not ignored
    assertThatThrownBy(
            () ->
                SpeculatorsDataset.open(
                    Path.of("src/test/resources/fixtures/speculators-data"),
                    null,
                    new HiddenStatesOptions(elsewhere, null),
                    l -> {}))
        .hasMessageContaining("apply to speculators 0.5+ datasets");
  }

  @Test
  void refusesDataItCannotTrainOn(@TempDir Path tmp) throws IOException {
    Path none = copy(tmp.resolve("none"));
    try (Stream<Path> s = Files.list(none.resolve("hidden_states"))) {
      for (Path p : s.toList()) {
        Files.delete(p);
      }
    }
    assertThatThrownBy(() -> SpeculatorsDataset.open(none))
        .hasMessageContaining("none of the 8 rows")
        .hasMessageContaining("8 missing");

    Path noDir = copy(tmp.resolve("nodir"));
    deleteTree(noDir.resolve("hidden_states"));
    assertThatThrownBy(() -> SpeculatorsDataset.open(noDir))
        .hasMessageContaining("no hidden-states directory " + noDir.resolve("hidden_states"))
        .hasMessageContaining("--hidden-states-path");

    Path layers = copy(tmp.resolve("layers"));
    Path hs2 = layers.resolve("hidden_states/hs_2.safetensors");
    HiddenStatesFile f = HiddenStatesFile.read(hs2);
    HostTensor three = HostTensor.zeros(DType.BF16, f.length(), 3, 64);
    HiddenStatesFile.write(hs2, three, copyOf(f.tokenIds()));
    assertThatThrownBy(() -> SpeculatorsDataset.open(layers))
        .isInstanceOf(InvalidSampleException.class)
        .hasMessageContaining("hs_2.safetensors")
        .hasMessageContaining("holds 3 layers of hidden size 64, hs_0.safetensors holds 4 of 64");

    Path malformed = copy(tmp.resolve("malformed"));
    Path hs1 = malformed.resolve("hidden_states/hs_1.safetensors");
    HostTensor states = copyOf(HiddenStatesFile.read(hs1).hiddenStates());
    SafeTensors.write(hs1, Map.of("hidden_states", states), Map.of());
    assertThatThrownBy(() -> SpeculatorsDataset.open(malformed))
        .isInstanceOf(TensorFileException.class)
        .hasMessageContaining("hs_1.safetensors")
        .hasMessageContaining("no tensor 'token_ids'");
  }

  @Test
  void aFileChangedAfterOpeningIsNoticedWhenLoaded(@TempDir Path tmp) throws IOException {
    Path dir = copy(tmp);
    SpeculatorsDataset ds = SpeculatorsDataset.open(dir);
    Path hs4 = dir.resolve("hidden_states/hs_4.safetensors");
    HiddenStatesFile f = HiddenStatesFile.read(hs4);
    long[] ids = f.tokenIds().toLongArray();
    ids[0] = 7;
    HiddenStatesFile.write(hs4, copyOf(f.hiddenStates()), HostTensor.ofLongs(ids, ids.length));
    assertThatThrownBy(() -> ds.load(4))
        .isInstanceOf(InvalidSampleException.class)
        .hasMessageContaining("hs_4.safetensors")
        .hasMessageContaining("no longer equal input_ids of row 4");
  }

  @Test
  void targetLayerIdsDescribeTheCapturedLayers() throws IOException {
    SpeculatorsDataset ds = SpeculatorsDataset.open(DATA);
    assertThat(ds.auxLayerIds(8, List.of(1, 3, 6))).containsExactly(1, 3, 6);
    assertThatThrownBy(() -> ds.auxLayerIds(8, List.of(1, 3)))
        .hasMessageContaining("--target-layer-ids lists 2 layers")
        .hasMessageContaining("3 auxiliary layers");
    assertThatThrownBy(() -> ds.auxLayerIds(8, List.of(1, 3, 8)))
        .hasMessageContaining("outside [0, 8)");
    // sample files record their ids: given ids must agree with them
    SpeculatorsDataset v04 =
        SpeculatorsDataset.open(Path.of("src/test/resources/fixtures/speculators-data"));
    assertThat(v04.auxLayerIds(8, List.of(3, 5, 6))).containsExactly(3, 5, 6);
    assertThatThrownBy(() -> v04.auxLayerIds(8, List.of(2, 4, 5)))
        .hasMessageContaining("contradict the layer ids the dataset records, [3, 5, 6]");
  }

  static Path copy(Path target) throws IOException {
    try (Stream<Path> s = Files.walk(DATA)) {
      for (Path p : s.toList()) {
        Path to = target.resolve(DATA.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
    return target;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** A heap copy: the file it was mapped from is about to be replaced. */
  private static HostTensor copyOf(HostTensor t) {
    java.nio.ByteBuffer heap =
        java.nio.ByteBuffer.allocate((int) t.sizeInBytes()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    heap.put(t.data().duplicate()).flip();
    return HostTensor.of(t.dtype(), t.shape(), heap);
  }

  private static float[] floats(FloatBuffer b) {
    float[] out = new float[b.remaining()];
    b.get(out);
    return out;
  }
}
