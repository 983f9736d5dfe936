package dev.speculators.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Reads files written by Python torch and compares every value with what torch read. */
class TorchFilesReadTest {

  static Stream<Arguments> fixtureFiles() {
    JsonNode refs = TestData.reference("fixture-references.json").get("torch");
    List<Arguments> out = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : refs.properties()) {
      out.add(Arguments.of(e.getKey(), e.getValue()));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtureFiles")
  void readsUpstreamFixturesBitExactly(String file, JsonNode expected) throws Exception {
    Object loaded = TorchFiles.load(TestData.fixture(file));
    assertThat(Describe.of(loaded)).isEqualTo(expected);
  }

  @Test
  void fixtureCoverageIsComplete() {
    assertThat(fixtureFiles().map(a -> (String) a.get()[0]))
        .contains(
            "speculators-data/data/data_0.pt",
            "speculators-data/data/data_1.pt",
            "speculators-data/data/data_2.pt",
            "speculators-data/token_freq.pt",
            "speculators-checkpoint/optimizer_state_dict.pt",
            "speculators-checkpoint/scheduler_state_dict.pt");
  }

  @Test
  void sampleFileKeepsKeyOrderAndTypes() throws Exception {
    @SuppressWarnings("unchecked")
    Map<String, Object> sample =
        (Map<String, Object>) TorchFiles.load(TestData.fixture("speculators-data/data/data_0.pt"));
    assertThat(sample.keySet()).containsExactly("input_ids", "hidden_states", "loss_mask");
    HostTensor ids = (HostTensor) sample.get("input_ids");
    assertThat(ids.dtype()).isEqualTo(DType.I64);
    assertThat(ids.shape()).containsExactly(37);
    List<?> hidden = (List<?>) sample.get("hidden_states");
    assertThat(hidden).hasSize(4);
    for (Object h : hidden) {
      assertThat(((HostTensor) h).dtype()).isEqualTo(DType.BF16);
      assertThat(((HostTensor) h).shape()).containsExactly(37, 64);
    }
  }

  @Test
  void optimizerStateHasIntegerKeysAndPythonValues() throws Exception {
    @SuppressWarnings("unchecked")
    Map<String, Object> opt =
        (Map<String, Object>)
            TorchFiles.load(TestData.fixture("speculators-checkpoint/optimizer_state_dict.pt"));
    Map<?, ?> state = (Map<?, ?>) opt.get("state");
    assertThat(state.keySet()).hasSize(13).allMatch(k -> k instanceof Long);
    Map<?, ?> first = (Map<?, ?>) state.get(0L);
    HostTensor step = (HostTensor) first.get("step");
    assertThat(step.rank()).isZero();
    assertThat(step.dtype()).isEqualTo(DType.BF16);
    assertThat(step.floatAt(0)).isEqualTo(1.0f);
    Map<?, ?> group = (Map<?, ?>) ((List<?>) opt.get("param_groups")).get(0);
    assertThat(group.get("betas")).isEqualTo(List.of(0.9, 0.999));
    assertThat(group.get("weight_decay")).isEqualTo(0.01);
    assertThat(group.get("foreach")).isNull();
    assertThat(group.get("decoupled_weight_decay")).isEqualTo(true);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "views/views.pt",
        "views/views_protocol4.pt",
        "views/views_old_writer.pt",
        "views/views_deflated.pt"
      })
  void readsViewsLikeTorch(String file) throws Exception {
    JsonNode ref = TestData.reference("views.json");
    Object loaded = TorchFiles.load(TestData.io(file));
    assertThat(Describe.of(loaded)).isEqualTo(ref.get("description"));
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) loaded;
    JsonNode values = ref.get("values");
    for (String name : List.of("transposed", "sliced", "transposed_bf16", "fp16")) {
      float[] got = ((HostTensor) m.get(name)).toFloatArray();
      JsonNode want = values.get(name);
      assertThat(got).hasSize(want.size());
      for (int i = 0; i < got.length; i++) {
        assertThat(got[i]).as("%s[%d]", name, i).isEqualTo((float) want.get(i).asDouble());
      }
    }
    long[] expanded = ((HostTensor) m.get("expanded")).toLongArray();
    for (int i = 0; i < expanded.length; i++) {
      assertThat(expanded[i]).isEqualTo(values.get("expanded").get(i).asLong());
    }
    boolean[] bools = ((HostTensor) m.get("bool")).toBoolArray();
    for (int i = 0; i < bools.length; i++) {
      assertThat(bools[i]).isEqualTo(values.get("bool").get(i).asBoolean());
    }
  }

  @Test
  void viewsOfOneStorageShareItsBytes() throws Exception {
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) TorchFiles.load(TestData.io("views/views.pt"));
    HostTensor stacked = (HostTensor) m.get("stacked_bf16");
    List<?> layers = (List<?>) m.get("layers_sharing_storage");
    for (int i = 0; i < 4; i++) {
      assertThat(((HostTensor) layers.get(i)).contentEquals(stacked.select0(i))).isTrue();
    }
    assertThat(((HostTensor) m.get("scalar")).rank()).isZero();
    assertThat(((HostTensor) m.get("scalar")).floatAt(0)).isEqualTo(3.25f);
    assertThat(((HostTensor) m.get("scalar_long")).longAt(0)).isEqualTo(-7L);
    assertThat(((HostTensor) m.get("empty")).shape()).containsExactly(0, 4);
    assertThat(m.get("dtype")).isEqualTo(DType.BF16);
    assertThat(m.get("size")).isEqualTo(List.of(2L, 3L));
    assertThat(List.copyOf(((Map<?, ?>) m.get("ordered")).keySet())).isEqualTo(List.of("z", "a"));
  }

  @Test
  void concurrentLoadsDoNotInterfere() throws Exception {
    JsonNode expected = TestData.reference("views.json").get("description");
    var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<JsonNode>> results = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        String file = i % 2 == 0 ? "views/views.pt" : "views/views_protocol4.pt";
        results.add(pool.submit(() -> Describe.of(TorchFiles.load(TestData.io(file)))));
      }
      for (var r : results) {
        assertThat(r.get()).isEqualTo(expected);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void bigEndianFilesAreRejected() {
    Path file = TestData.io("views/views_big_endian.pt");
    assertThatThrownBy(() -> TorchFiles.load(file))
        .isInstanceOf(TensorFileException.class)
        .hasMessageContaining("views_big_endian.pt")
        .hasMessageContaining("byteorder is 'big'");
  }
}
