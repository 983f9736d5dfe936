package dev.speculators.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.speculators.io.HostTensor;
import dev.speculators.io.TorchFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpeculatorsDatasetTest {
  private static final Path FIXTURE = Path.of("src/test/resources/fixtures/speculators-data");

  @Test
  void opensTheUpstreamFixtureFromItsRootOrItsDataDirectory() throws IOException {
    for (Path p : List.of(FIXTURE, FIXTURE.resolve("data"))) {
      SpeculatorsDataset ds = SpeculatorsDataset.open(p);
      assertThat(ds.size()).isEqualTo(3);
      assertThat(ds.files())
          .extracting(f -> f.getFileName().toString())
          .containsExactly("data_0.pt", "data_1.pt", "data_2.pt");
      assertThat(ds.storedLength(0)).isEqualTo(37);
      assertThat(ds.storedLength(1)).isEqualTo(52);
      assertThat(ds.storedLength(2)).isEqualTo(29);
      assertThat(ds.packedLengths()).containsExactly(36, 51, 28);
      assertThat(ds.hiddenSize()).isEqualTo(64);
      assertThat(ds.capturedLayers()).isEqualTo(4);
      assertThat(ds.auxLayerCount()).isEqualTo(3);
      assertThat(ds.tokenFrequencyFile())
          .hasValueSatisfying(
              f ->
                  assertThat(f.toAbsolutePath().normalize())
                      .isEqualTo(FIXTURE.resolve("token_freq.pt").toAbsolutePath().normalize()));
      // upstream generator: ids are "output of layer L"; [2, 4, 5, 7] for N = 8
      assertThat(ds.layerIdSemantics()).isEqualTo(LayerIdSemantics.LAYER_OUTPUT);
      assertThat(ds.recordedLayerIds())
          .hasValueSatisfying(ids -> assertThat(ids).containsExactly(2, 4, 5, 7));
      assertThat(ds.auxLayerIds(8)).containsExactly(3, 5, 6);
      assertThat(ds.dataConfig()).isPresent();
      assertThat(ds.readTokenFrequencies()).hasSize(60);
    }
  }

  @Test
  void loadedSamplesAreShiftedByOne() throws IOException {
    SpeculatorsDataset ds = SpeculatorsDataset.open(FIXTURE);
    Map<?, ?> raw = (Map<?, ?>) TorchFiles.load(FIXTURE.resolve("data/data_1.pt"));
    long[] ids = ((HostTensor) raw.get("input_ids")).toLongArray();
    long[] mask = ((HostTensor) raw.get("loss_mask")).toLongArray();
    AlignedSample s = ds.load(1);
    assertThat(s.length()).isEqualTo(51);
    assertThat(s.storedLength()).isEqualTo(52);
    for (int i = 0; i < 51; i++) {
      assertThat(s.inputId(i)).isEqualTo(ids[i + 1]);
      assertThat(s.lossMask(i)).isEqualTo(mask[i + 1]);
    }
    assertThat(s.file().getFileName().toString()).isEqualTo("data_1.pt");
  }

  @Test
  void ourVllmMarkerMeansIdsAreUsedAsTheyAre(@TempDir Path dir) throws IOException {
    Path data = sampleDir(dir, 2, 6, 4);
    writeConfig(
        data,
        "[2, 16, 29, 32]",
        "\"vllm: id k = input of decoder layer k; id N = final layer output before the final norm\"");
    SpeculatorsDataset ds = SpeculatorsDataset.open(dir);
    assertThat(ds.layerIdSemantics()).isEqualTo(LayerIdSemantics.VLLM);
    assertThat(ds.auxLayerIds(32)).containsExactly(2, 16, 29);
    assertThatThrownBy(() -> ds.auxLayerIds(40))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("must be the final layer, vLLM id 40");
  }

  @Test
  void withoutRecordedIdsUpstreamDefaultsAreAssumedAndConverted(@TempDir Path dir)
      throws IOException {
    sampleDir(dir, 1, 5, 4);
    SpeculatorsDataset ds = SpeculatorsDataset.open(dir);
    assertThat(ds.dataConfig()).isEmpty();
    assertThat(ds.recordedLayerIds()).isEmpty();
    assertThat(ds.layerIdSemantics()).isEqualTo(LayerIdSemantics.LAYER_OUTPUT);
    // upstream datagen default [2, N/2, N-3] (output of layer) = vLLM [3, N/2 + 1, N - 2]
    assertThat(ds.auxLayerIds(32)).containsExactly(3, 17, 30);
    assertThat(ds.auxLayerIds(8)).containsExactly(3, 5, 6);
    assertThat(ds.auxLayerIds(36)).containsExactly(3, 19, 34);
  }

  @Test
  void auxIdsThatHitTheFinalLayerOrRepeatAreRejected(@TempDir Path dir) throws IOException {
    Path data = sampleDir(dir, 1, 5, 4);
    writeConfig(data, "[2, 8, 8, 8]", "\"vllm\"");
    assertThatThrownBy(() -> SpeculatorsDataset.open(dir).auxLayerIds(8))
        .hasMessageContaining("auxiliary layer id 8")
        .hasMessageContaining("cannot be an auxiliary layer");
    writeConfig(data, "[2, 2, 5, 8]", "\"vllm\"");
    assertThatThrownBy(() -> SpeculatorsDataset.open(dir).auxLayerIds(8))
        .hasMessageContaining("listed twice");
  }

  @Test
  void configsThatContradictTheSamplesNameTheConfigFile(@TempDir Path dir) throws IOException {
    Path data = sampleDir(dir, 1, 5, 4);
    writeConfig(data, "[2, 4, 7]", null);
    assertThatThrownBy(() -> SpeculatorsDataset.open(dir))
        .hasMessageContaining("data_config.json")
        .hasMessageContaining("lists 3 layers")
        .hasMessageContaining("holds 4");
    writeConfig(data, "[2, \"x\", 5, 7]", null);
    assertThatThrownBy(() -> SpeculatorsDataset.open(dir)).hasMessageContaining("layer_ids[1]");
    Files.writeString(data.resolve("data_config.json"), "{\"model\": {\"hidden_size\": 4096}}");
    assertThatThrownBy(() -> SpeculatorsDataset.open(dir))
        .hasMessageContaining("model.hidden_size is 4096")
        .hasMessageContaining("size 4");
    Files.writeString(data.resolve("data_config.json"), "{not json");
    assertThatThrownBy(() -> SpeculatorsDataset.open(dir))
        .hasMessageContaining("data_config.json: not valid JSON");
  }

  @Test
  void discoveryIsRecursiveNumericAndSkipsFrequencyAndTemporaryFiles(@TempDir Path dir)
      throws IOException {
    Path data = Files.createDirectories(dir.resolve("data"));
    for (int i : new int[] {10, 2, 1}) {
      TestSamples.writeTagged(data, i, 4, 4, 4, i);
    }
    Path shard = Files.createDirectories(data.resolve("shard_b"));
    TestSamples.writeTagged(shard, 0, 4, 4, 4, 0);
    Files.copy(data.resolve("data_1.pt"), data.resolve("extra.pt"));
    Files.copy(FIXTURE.resolve("token_freq.pt"), data.resolve("token_freq.pt"));
    Files.copy(FIXTURE.resolve("token_freq.pt"), data.resolve("token_freq_combined.pt"));
    Files.writeString(data.resolve("data_3.pt.tmp-0b7c"), "partial");
    Files.writeString(data.resolve("notes.txt"), "x");

    SpeculatorsDataset ds = SpeculatorsDataset.open(dir);
    assertThat(ds.files())
        .extracting(p -> data.relativize(p).toString())
        .containsExactly("data_1.pt", "data_2.pt", "data_10.pt", "extra.pt", "shard_b/data_0.pt");
    // the frequencies in the data directory are found when the root has none
    assertThat(ds.tokenFrequencyFile()).hasValue(data.resolve("token_freq.pt"));
    assertThat(SpeculatorsDataset.isSampleFileName("data_0.pt")).isTrue();
    assertThat(SpeculatorsDataset.isSampleFileName("model.ckpt"))
        .isTrue(); // upstream: any name ending in "pt"
    assertThat(SpeculatorsDataset.isSampleFileName("token_freq.pt")).isFalse();
  }

  @Test
  void lengthsComeFromTheTableWhereItHasThemAndFromTheFilesOtherwise(@TempDir Path dir)
      throws IOException {
    Path data = Files.createDirectories(dir.resolve("data"));
    TestSamples.writeTagged(data, 0, 7, 4, 4, 0);
    TestSamples.writeTagged(data, 1, 9, 4, 4, 1);
    TestSamples.writeTagged(data, 2, 3, 4, 4, 2);
    // the table is trusted as upstream trusts it (here deliberately different for sample 0)
    Files.writeString(data.resolve("sample_lengths.json"), "{\"0\": 100, \"2\": 3}");
    List<String> progress = new ArrayList<>();
    SpeculatorsDataset ds = SpeculatorsDataset.open(dir, null, progress::add);
    assertThat(ds.storedLength(0)).isEqualTo(100);
    assertThat(ds.storedLength(1)).isEqualTo(9);
    assertThat(ds.storedLength(2)).isEqualTo(3);
    assertThat(progress).anyMatch(l -> l.contains("1 of 3 samples"));

    Files.writeString(data.resolve("sample_lengths.json"), "{\"0\": -4}");
    assertThatThrownBy(() -> SpeculatorsDataset.open(dir))
        .hasMessageContaining("sample_lengths.json")
        .hasMessageContaining("entry \"0\"");
    Files.writeString(data.resolve("sample_lengths.json"), "[1, 2]");
    assertThatThrownBy(() -> SpeculatorsDataset.open(dir))
        .hasMessageContaining("sample_lengths.json: expected a JSON object");
  }

  @Test
  void explicitTokenFrequencyFileWinsAndMustExist(@TempDir Path dir) throws IOException {
    sampleDir(dir, 1, 4, 4);
    Path freq = Files.copy(FIXTURE.resolve("token_freq.pt"), dir.resolve("elsewhere.pt"));
    assertThat(SpeculatorsDataset.open(dir, freq, l -> {}).tokenFrequencyFile()).hasValue(freq);
    assertThat(SpeculatorsDataset.open(dir).tokenFrequencyFile()).isEmpty();
    assertThatThrownBy(() -> SpeculatorsDataset.open(dir, dir.resolve("missing.pt"), l -> {}))
        .hasMessageContaining("missing.pt does not exist");
  }

  @Test
  void emptyOrMissingDatasetsGiveClearErrors(@TempDir Path dir) throws IOException {
    assertThatThrownBy(() -> SpeculatorsDataset.open(dir.resolve("nope")))
        .hasMessageContaining("nope is not a directory");
    Files.createDirectories(dir.resolve("data"));
    assertThatThrownBy(() -> SpeculatorsDataset.open(dir))
        .hasMessageContaining("no sample files")
        .hasMessageContaining(dir.resolve("data").toString());
  }

  @Test
  void unreadableAndMalformedSamplesAreReportedWithTheirFile(@TempDir Path dir) throws IOException {
    Path data = sampleDir(dir, 2, 6, 4);
    byte[] good = Files.readAllBytes(data.resolve("data_1.pt"));
    Files.write(data.resolve("data_1.pt"), java.util.Arrays.copyOf(good, good.length / 2));
    // lengths must be read from the files: opening stops at the broken one
    assertThatThrownBy(() -> SpeculatorsDataset.open(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("data_1.pt");
    // with a length table the dataset opens, and the broken sample fails when it is loaded
    Files.writeString(data.resolve("sample_lengths.json"), "{\"0\": 6, \"1\": 6}");
    SpeculatorsDataset ds = SpeculatorsDataset.open(dir, null, l -> {});
    assertThatThrownBy(() -> ds.load(1))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("data_1.pt");

    Map<String, Object> stacked = new LinkedHashMap<>();
    stacked.put("input_ids", HostTensor.ofLongs(new long[] {1, 2}, 2));
    stacked.put("hidden_states", HostTensor.ofFloats(new float[16], 4, 2, 2));
    stacked.put("loss_mask", HostTensor.ofLongs(new long[] {0, 1}, 2));
    TorchFiles.save(data.resolve("data_1.pt"), stacked);
    assertThatThrownBy(() -> ds.load(1))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("data_1.pt")
        .hasMessageContaining("stacked");

    stacked.put("hidden_states", List.of(HostTensor.ofFloats(new float[4], 2, 2)));
    TorchFiles.save(data.resolve("data_1.pt"), stacked);
    assertThatThrownBy(() -> ds.load(1))
        .isInstanceOf(InvalidSampleException.class)
        .hasMessageContaining("data_1.pt")
        .hasMessageContaining("at least one auxiliary layer");
    stacked.put("loss_mask", HostTensor.ofLongs(new long[] {0, 2}, 2));
    TorchFiles.save(data.resolve("data_1.pt"), stacked);
    assertThatThrownBy(() -> ds.load(1))
        .hasMessageContaining("data_1.pt")
        .hasMessageContaining("loss_mask[1]");

    stacked.remove("loss_mask");
    TorchFiles.save(data.resolve("data_1.pt"), stacked);
    assertThatThrownBy(() -> ds.load(1))
        .hasMessageContaining("data_1.pt")
        .hasMessageContaining("loss_mask");

    // a first sample that cannot be read stops opening, naming it
    Files.write(data.resolve("data_0.pt"), new byte[] {1, 2, 3});
    assertThatThrownBy(() -> SpeculatorsDataset.open(dir)).hasMessageContaining("data_0.pt");
  }

  @Test
  void maskValuesOtherThanZeroAndOneAreRejected() {
    Path f = Path.of("x/data_9.pt");
    assertThatThrownBy(
            () ->
                AlignedSample.of(
                    f,
                    HostTensor.ofLongs(new long[] {1, 2}, 2),
                    List.of(
                        HostTensor.ofFloats(new float[4], 2, 2),
                        HostTensor.ofFloats(new float[4], 2, 2)),
                    HostTensor.ofLongs(new long[] {0, 2}, 2)))
        .hasMessageContaining("data_9.pt: loss_mask[1] = 2");
    assertThatThrownBy(
            () ->
                AlignedSample.of(
                    f,
                    HostTensor.ofLongs(new long[] {1, 2}, 2),
                    List.of(
                        HostTensor.ofFloats(new float[4], 2, 2),
                        HostTensor.ofFloats(new float[6], 2, 3)),
                    HostTensor.ofLongs(new long[] {0, 1}, 2)))
        .hasMessageContaining(
            "hidden_states[1] must be a floating-point [2, 2] tensor, found F32[2, 3]");
  }

  private static Path sampleDir(Path root, int count, int s, int h) throws IOException {
    Path data = Files.createDirectories(root.resolve("data"));
    for (int i = 0; i < count; i++) {
      TestSamples.writeTagged(data, i, s, h, 4, i);
    }
    return data;
  }

  private static void writeConfig(Path data, String layerIds, String semantics) throws IOException {
    String sem = semantics == null ? "" : ", \"layer_id_semantics\": " + semantics;
    Files.writeString(
        data.resolve("data_config.json"),
        "{\"version\": \"2.0\", \"hidden_states\": {\"layer_ids\": " + layerIds + sem + "}}");
  }
}
