package dev.speculators.io.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.speculators.io.DType;
import dev.speculators.io.Describe;
import dev.speculators.io.HostTensor;
import dev.speculators.io.PythonSupport;
import dev.speculators.io.TensorFileException;
import dev.speculators.io.TestData;
import dev.speculators.io.TorchFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetFilesTest {
  @TempDir Path tmp;

  private static final DatasetLayout FIXTURE =
      new DatasetLayout(TestData.fixture("speculators-data"));

  @Test
  void readsUpstreamSamples() throws Exception {
    int[] lengths = {37, 52, 29};
    for (int i = 0; i < 3; i++) {
      SampleFile s = SampleFile.read(FIXTURE.sampleFile(i));
      assertThat(s.length()).isEqualTo(lengths[i]);
      assertThat(s.numLayers()).isEqualTo(4);
      assertThat(s.hiddenSize()).isEqualTo(64);
      assertThat(s.hiddenStates()).allMatch(h -> h.dtype() == DType.BF16);
      assertThat(SampleFile.isComplete(FIXTURE.sampleFile(i))).isTrue();
    }
  }

  @Test
  void writesTheUpstreamLayout() throws Exception {
    JsonNode refs = TestData.reference("fixture-references.json").get("torch");
    for (int i = 0; i < 3; i++) {
      SampleFile s = SampleFile.read(FIXTURE.sampleFile(i));
      Path out = new DatasetLayout(tmp).sampleFile(i);
      s.write(out);
      JsonNode upstream = refs.get("speculators-data/data/data_" + i + ".pt");
      assertThat(Describe.of(TorchFiles.load(out))).isEqualTo(upstream);
      assertThat(SampleFile.read(out).inputIds().contentEquals(s.inputIds())).isTrue();
    }
  }

  @Test
  void pythonReadsOurSamplesAsUpstreamDoes() throws Exception {
    PythonSupport.assumeModules("torch");
    JsonNode refs = TestData.reference("fixture-references.json").get("torch");
    Path out = tmp.resolve("data_0.pt");
    SampleFile.read(FIXTURE.sampleFile(0)).write(out);
    assertThat(PythonSupport.describeFile("torch", out))
        .isEqualTo(refs.get("speculators-data/data/data_0.pt"));
  }

  @Test
  void validationNamesTheField() {
    HostTensor ids = HostTensor.ofLongs(new long[] {1, 2, 3});
    HostTensor mask = HostTensor.ofLongs(new long[] {0, 1, 1});
    HostTensor h = HostTensor.zeros(DType.BF16, 3, 4);
    assertThat(new SampleFile(ids, List.of(h, h), mask).length()).isEqualTo(3);
    assertThatThrownBy(
            () -> new SampleFile(ids, List.of(h, HostTensor.zeros(DType.BF16, 2, 4)), mask))
        .hasMessageContaining("hidden_states[1] has shape [2, 4], expected [3, 4]");
    assertThatThrownBy(
            () -> new SampleFile(ids, List.of(h, HostTensor.zeros(DType.BF16, 3, 5)), mask))
        .hasMessageContaining("hidden_states[1] has shape [3, 5]");
    assertThatThrownBy(
            () -> new SampleFile(ids, List.of(h, HostTensor.zeros(DType.F32, 3, 4)), mask))
        .hasMessageContaining("hidden_states[1] is F32, hidden_states[0] is BF16");
    assertThatThrownBy(() -> new SampleFile(ids, List.of(), mask))
        .hasMessageContaining("hidden_states is empty");
    assertThatThrownBy(() -> new SampleFile(ids, List.of(h), HostTensor.ofLongs(new long[] {0, 1})))
        .hasMessageContaining("loss_mask has shape [2], input_ids has [3]");
    assertThatThrownBy(
            () -> new SampleFile(ids, List.of(h), HostTensor.ofLongs(new long[] {0, 2, 1})))
        .hasMessageContaining("loss_mask[1] is 2");
    assertThatThrownBy(
            () -> new SampleFile(HostTensor.ofInts(new int[] {1, 2, 3}), List.of(h), mask))
        .hasMessageContaining("input_ids must be int64");
    assertThatThrownBy(() -> new SampleFile(ids, List.of(HostTensor.zeros(DType.I64, 3, 4)), mask))
        .hasMessageContaining("hidden_states[0] must be floating point");
    SampleFile f32 =
        new SampleFile(
            ids, List.of(HostTensor.ofFloats(new float[] {0.1f, 0.2f, 0.3f}, 3, 1)), mask);
    assertThat(f32.withBf16HiddenStates().hiddenStates().get(0).dtype()).isEqualTo(DType.BF16);
  }

  @Test
  void rejectsFilesThatAreNotV1Samples() throws Exception {
    HostTensor ids = HostTensor.ofLongs(new long[] {1, 2, 3});
    HostTensor mask = HostTensor.ofLongs(new long[] {0, 1, 1});
    Map<String, Object> stacked = new LinkedHashMap<>();
    stacked.put("input_ids", ids);
    stacked.put("hidden_states", HostTensor.zeros(DType.BF16, 4, 3, 8));
    stacked.put("loss_mask", mask);
    expectReadError(stacked, "'hidden_states' is one stacked tensor (BF16[4, 3, 8])");
    Map<String, Object> legacy = new LinkedHashMap<>();
    legacy.put("input_ids", ids);
    legacy.put("hidden_state", HostTensor.zeros(DType.BF16, 3, 24));
    legacy.put("target", HostTensor.zeros(DType.BF16, 3, 8));
    legacy.put("loss_mask", mask);
    expectReadError(legacy, "legacy data format v0");
    expectReadError(List.of(ids, mask), "this one holds a list");
    Map<String, Object> floatIds = new LinkedHashMap<>();
    floatIds.put("input_ids", HostTensor.zeros(DType.F32, 3));
    floatIds.put("hidden_states", List.of(HostTensor.zeros(DType.BF16, 3, 8)));
    floatIds.put("loss_mask", mask);
    expectReadError(floatIds, "'input_ids' must be an integer tensor, not F32");
    Map<String, Object> noMask = new LinkedHashMap<>();
    noMask.put("input_ids", ids);
    noMask.put("hidden_states", List.of(HostTensor.zeros(DType.BF16, 3, 8)));
    expectReadError(noMask, "missing 'loss_mask'");
    Map<String, Object> shortLayer = new LinkedHashMap<>();
    shortLayer.put("input_ids", ids);
    shortLayer.put("hidden_states", List.of(HostTensor.zeros(DType.BF16, 2, 8)));
    shortLayer.put("loss_mask", mask);
    expectReadError(shortLayer, "hidden_states[0] has shape [2, 8], expected [3, 8]");
  }

  @Test
  void acceptsTuplesAndNarrowIntegers() throws Exception {
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("input_ids", HostTensor.ofInts(new int[] {5, 6}));
    value.put(
        "hidden_states",
        new Object[] {HostTensor.zeros(DType.F16, 2, 3), HostTensor.zeros(DType.F16, 2, 3)});
    value.put("loss_mask", HostTensor.ofBools(new boolean[] {false, true}));
    Path file = tmp.resolve("tuple.pt");
    TorchFiles.save(file, value);
    SampleFile s = SampleFile.read(file);
    assertThat(s.inputIds().dtype()).isEqualTo(DType.I64);
    assertThat(s.lossMask().toLongArray()).containsExactly(0, 1);
    assertThat(s.numLayers()).isEqualTo(2);
  }

  @Test
  void isCompleteDetectsBrokenFiles() throws Exception {
    Path good = tmp.resolve("data_0.pt");
    SampleFile.read(FIXTURE.sampleFile(0)).write(good);
    assertThat(SampleFile.isComplete(good)).isTrue();
    byte[] bytes = Files.readAllBytes(good);
    Path cut = tmp.resolve("data_1.pt");
    Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
    assertThat(SampleFile.isComplete(cut)).isFalse();
    assertThat(SampleFile.isComplete(tmp.resolve("data_9.pt"))).isFalse();
    assertThat(SampleFile.isComplete(tmp)).isFalse();
  }

  @Test
  void tokenFrequenciesMatchTheSamples() throws Exception {
    Map<Long, Long> upstream = TokenFrequencies.read(FIXTURE.tokenFreqFile());
    assertThat(upstream).hasSize(60);
    assertThat(TokenFrequencies.total(upstream)).isEqualTo(73);
    Map<Long, Long> counted = new LinkedHashMap<>();
    for (Path p : FIXTURE.listSampleFiles()) {
      TokenFrequencies.accumulate(counted, SampleFile.read(p));
    }
    assertThat(counted).isEqualTo(upstream);
    Path out = tmp.resolve("token_freq.pt");
    TokenFrequencies.write(out, upstream);
    assertThat(new ArrayList<>(TokenFrequencies.read(out).keySet()))
        .isEqualTo(new ArrayList<>(upstream.keySet()));
    assertThat(TokenFrequencies.read(out)).isEqualTo(upstream);
  }

  @Test
  void pythonReadsOurTokenFrequenciesAsAPlainDict() throws Exception {
    PythonSupport.assumeModules("torch");
    Map<Long, Long> counts = new LinkedHashMap<>();
    counts.put(7L, 3L);
    counts.put(151643L, 1L << 33);
    Path out = tmp.resolve("token_freq.pt");
    TokenFrequencies.write(out, counts);
    String printed =
        PythonSupport.runSnippet(
            "import sys, torch\nd = torch.load(sys.argv[1], weights_only=True)\nprint(type(d).__name__, d)",
            out.toString());
    assertThat(printed.strip()).isEqualTo("dict {7: 3, 151643: 8589934592}");
  }

  @Test
  void mergeSumsCounts() {
    Map<Long, Long> a = new LinkedHashMap<>(Map.of(1L, 2L));
    Map<Long, Long> b = new LinkedHashMap<>();
    b.put(3L, 1L);
    b.put(1L, 5L);
    Map<Long, Long> merged = TokenFrequencies.merge(List.of(a, b));
    assertThat(merged).containsExactly(Map.entry(1L, 7L), Map.entry(3L, 1L));
    assertThatThrownBy(
            () ->
                TokenFrequencies.accumulate(
                    new LinkedHashMap<>(),
                    HostTensor.ofLongs(new long[] {1}),
                    HostTensor.ofLongs(new long[] {1, 1})))
        .hasMessageContaining("input_ids has 1 tokens, loss_mask has 2");
  }

  @Test
  void tokenFrequencyFilesMustBeIntDicts() throws Exception {
    Path bad = tmp.resolve("bad_freq.pt");
    TorchFiles.save(bad, Map.of("a", 1L));
    assertThatThrownBy(() -> TokenFrequencies.read(bad))
        .isInstanceOf(TensorFileException.class)
        .hasMessageContaining("token id a is not a non-negative integer");
    TorchFiles.save(bad, Map.of(3L, 1.5));
    assertThatThrownBy(() -> TokenFrequencies.read(bad))
        .hasMessageContaining("count of token 3 is 1.5");
  }

  @Test
  void sampleLengthsMatchUpstreamByteForByte() throws Exception {
    Map<Integer, Integer> lengths = SampleLengths.read(FIXTURE.sampleLengthsFile());
    assertThat(lengths).containsExactly(Map.entry(0, 37), Map.entry(1, 52), Map.entry(2, 29));
    Path out = tmp.resolve("sample_lengths.json");
    Map<Integer, Integer> unordered = new LinkedHashMap<>();
    unordered.put(2, 29);
    unordered.put(0, 37);
    unordered.put(1, 52);
    SampleLengths.write(out, unordered);
    assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(FIXTURE.sampleLengthsFile()));
    SampleLengths.write(out, Map.of());
    assertThat(SampleLengths.read(out)).isEmpty();
    Files.writeString(out, "{\"0\": 3, \"x\": 4}");
    assertThatThrownBy(() -> SampleLengths.read(out))
        .hasMessageContaining("key \"x\" is not a sample index");
    Files.writeString(out, "{\"0\": -3}");
    assertThatThrownBy(() -> SampleLengths.read(out))
        .hasMessageContaining("entry \"0\": -3 is not a sample length");
    Files.writeString(out, "{\"0\": ");
    assertThatThrownBy(() -> SampleLengths.read(out)).hasMessageContaining("malformed JSON");
  }

  @Test
  void layoutPathsAndDiscovery() throws Exception {
    DatasetLayout layout = new DatasetLayout(tmp.resolve("ds"));
    assertThat(layout.sampleFile(12)).isEqualTo(tmp.resolve("ds/data/data_12.pt"));
    assertThat(layout.sampleLengthsFile()).isEqualTo(tmp.resolve("ds/data/sample_lengths.json"));
    assertThat(layout.dataConfigFile()).isEqualTo(tmp.resolve("ds/data/data_config.json"));
    assertThat(layout.tokenFreqFile()).isEqualTo(tmp.resolve("ds/token_freq.pt"));
    assertThat(layout.listSampleFiles()).isEmpty();
    Files.createDirectories(layout.dataDir().resolve("sub"));
    for (String name :
        List.of(
            "data_10.pt",
            "data_2.pt",
            "data_0.pt",
            "data_01.pt",
            "notes.txt",
            "receipt",
            "data_3.pt.tmp-1234",
            "sample_lengths.json",
            "sub/data_1.pt")) {
      Files.writeString(layout.dataDir().resolve(name), "x");
    }
    assertThat(layout.listSampleFiles())
        .containsExactly(layout.sampleFile(0), layout.sampleFile(2), layout.sampleFile(10));
    assertThat(DatasetLayout.discoverSampleFiles(layout.dataDir()))
        .containsExactly(
            layout.sampleFile(0),
            layout.sampleFile(2),
            layout.sampleFile(10),
            layout.dataDir().resolve("data_01.pt"),
            layout.dataDir().resolve("receipt"),
            layout.dataDir().resolve("sub/data_1.pt"));
    assertThat(DatasetLayout.sampleIndex(Path.of("data_7.pt"))).hasValue(7);
    assertThat(DatasetLayout.sampleIndex(Path.of("data_7.pt.tmp-x"))).isEmpty();
    assertThat(FIXTURE.listSampleFiles()).hasSize(3);
    assertThat(DatasetLayout.discoverSampleFiles(FIXTURE.dataDir()))
        .isEqualTo(FIXTURE.listSampleFiles());
  }

  private void expectReadError(Object value, String message) throws Exception {
    Path file = tmp.resolve("bad_sample.pt");
    TorchFiles.save(file, value);
    assertThatThrownBy(() -> SampleFile.read(file))
        .isInstanceOf(TensorFileException.class)
        .hasMessageStartingWith(file.toString())
        .hasMessageContaining(message);
    assertThat(SampleFile.isComplete(file)).isFalse();
  }
}
