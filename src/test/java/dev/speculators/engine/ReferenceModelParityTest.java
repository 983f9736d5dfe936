package dev.speculators.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.io.SafeTensors;
import dev.speculators.io.SafeTensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The reference engine against Hugging Face transformers (values made by {@code
 * src/test/python/make_engine_references.py} on small random models): hidden states at every vLLM
 * layer id, logits, and greedy decoding with the cache.
 */
class ReferenceModelParityTest {
  private static final Path ROOT = Path.of("src/test/resources/engine");
  private static final ObjectMapper JSON = new ObjectMapper();

  @ParameterizedTest
  @ValueSource(strings = {"llama", "qwen3"})
  void prefillMatchesTransformersAtEveryLayerAndInTheLogits(String arch) throws IOException {
    Path dir = ROOT.resolve(arch);
    JsonNode ref = JSON.readTree(dir.resolve("reference.json").toFile());
    long[] ids = longs(ref.get("sequence"));
    int layers = ref.get("layers").asInt();
    int[] all = new int[layers + 1];
    for (int k = 0; k <= layers; k++) {
      all[k] = k;
    }
    try (ReferenceModel model = ReferenceModel.load(dir);
        NDManager m = model.newManager();
        SafeTensorsFile expected = SafeTensors.open(dir.resolve("reference.safetensors"))) {
      assertThat(model.config().architecture().modelType()).isEqualTo(arch);
      TargetSession.Step step = model.newSession(m).extend(ids, all);
      for (int k = 0; k <= layers; k++) {
        assertClose(
            step.hidden(k).toFloatArray(),
            expected.get("hidden." + k).toFloatArray(),
            arch + " layer id " + k);
      }
      assertClose(
          step.logits().toFloatArray(), expected.get("logits").toFloatArray(), arch + " logits");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama", "qwen3"})
  void tokenByTokenWithTheCacheGivesTheSameLogits(String arch) throws IOException {
    Path dir = ROOT.resolve(arch);
    long[] ids = longs(JSON.readTree(dir.resolve("reference.json").toFile()).get("sequence"));
    try (ReferenceModel model = ReferenceModel.load(dir);
        NDManager m = model.newManager();
        SafeTensorsFile expected = SafeTensors.open(dir.resolve("reference.safetensors"))) {
      float[] logits = expected.get("logits").toFloatArray();
      int v = model.config().vocabSize();
      TargetSession session = model.newSession(m);
      // a chunk of 5, then one at a time, with a detour: 3 tokens run, truncated, run again
      float[] got = new float[logits.length];
      System.arraycopy(
          session.extend(java.util.Arrays.copyOf(ids, 5), new int[0]).logits().toFloatArray(),
          0,
          got,
          0,
          5 * v);
      session.extend(new long[] {7, 7, 7}, new int[0]);
      session.truncate(5);
      for (int i = 5; i < ids.length; i++) {
        float[] row = session.extend(new long[] {ids[i]}, new int[0]).logits().toFloatArray();
        System.arraycopy(row, 0, got, i * v, v);
      }
      assertThat(session.length()).isEqualTo(ids.length);
      assertClose(got, logits, arch + " incremental logits");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama", "qwen3"})
  void greedyDecodingMatchesTransformersGenerate(String arch) throws IOException {
    Path dir = ROOT.resolve(arch);
    JsonNode ref = JSON.readTree(dir.resolve("reference.json").toFile());
    try (ReferenceModel model = ReferenceModel.load(dir)) {
      long[] expected = longs(ref.get("greedy"));
      GreedyDecoder.Generation g =
          new GreedyDecoder(model).generate(longs(ref.get("prompt")), expected.length);
      assertThat(g.tokens()).containsExactly(expected);
      assertThat(g.targetPasses()).isEqualTo(expected.length);
    }
  }

  @Test
  void packedDocumentsDoNotSeeEachOther() throws IOException {
    Path dir = ROOT.resolve("llama");
    long[] ids = longs(JSON.readTree(dir.resolve("reference.json").toFile()).get("sequence"));
    int n = ids.length;
    // row: the whole sequence, then its first 5 tokens again as a second document, then 3 padding
    long[] row = new long[n + 8];
    long[] positions = new long[n + 8];
    for (int i = 0; i < n; i++) {
      row[i] = ids[i];
      positions[i] = i;
    }
    for (int i = 0; i < 5; i++) {
      row[n + i] = ids[i];
      positions[n + i] = i;
    }
    try (ReferenceModel model = ReferenceModel.load(dir);
        NDManager m = model.newManager();
        SafeTensorsFile expected = SafeTensors.open(dir.resolve("reference.safetensors"))) {
      int v = model.config().vocabSize();
      var docs = dev.speculators.train.model.PackedDocuments.fromLengths(new long[] {n, 5}, n + 8);
      float[] got =
          model
              .logits(
                  model.forward(
                      m.create(row),
                      m.create(positions),
                      new PackedCausalAttention(docs),
                      new int[0],
                      new java.util.HashMap<>()))
              .toFloatArray();
      float[] logits = expected.get("logits").toFloatArray();
      assertClose(java.util.Arrays.copyOf(got, n * v), logits, "first document");
      assertClose(
          java.util.Arrays.copyOfRange(got, n * v, (n + 5) * v),
          java.util.Arrays.copyOf(logits, 5 * v),
          "second document");
    }
  }

  @Test
  void rejectsWhatItDoesNotImplementNamingTheField(@TempDir Path tmp) throws IOException {
    Path dir = copy(ROOT.resolve("llama"), tmp.resolve("biased"));
    ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
    config.put("attention_bias", true);
    JSON.writeValue(dir.resolve("config.json").toFile(), config);
    assertThatThrownBy(() -> ReferenceModel.load(dir)).hasMessageContaining("attention_bias=true");

    config.put("attention_bias", false);
    config.put("model_type", "mixtral");
    JSON.writeValue(dir.resolve("config.json").toFile(), config);
    assertThatThrownBy(() -> ReferenceModel.load(dir))
        .hasMessageContaining("model_type 'mixtral'")
        .hasMessageContaining("llama, qwen3");
  }

  @Test
  void rejectsWeightsThatDoNotMatchTheConfig(@TempDir Path tmp) throws IOException {
    Path dir = copy(ROOT.resolve("qwen3"), tmp.resolve("wide"));
    ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
    config.put("intermediate_size", 128);
    JSON.writeValue(dir.resolve("config.json").toFile(), config);
    assertThatThrownBy(() -> ReferenceModel.load(dir))
        .hasMessageContaining("mlp.gate_proj.weight")
        .hasMessageContaining("[128, 64]");
  }

  static void assertClose(float[] got, float[] expected, String what) {
    assertThat(got).as(what + " size").hasSize(expected.length);
    double scale = 1;
    for (float e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    double worst = 0;
    for (int i = 0; i < got.length; i++) {
      worst = Math.max(worst, Math.abs(got[i] - expected[i]));
    }
    assertThat(worst / scale)
        .as(what + ": max abs diff " + worst + " (scale " + scale + ")")
        .isLessThan(2e-5);
  }

  private static long[] longs(JsonNode array) {
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asLong();
    }
    return out;
  }

  private static Path copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
    return to;
  }
}
