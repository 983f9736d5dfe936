package dev.speculators.engine.tiny;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speculators.datagen.chat.TemplateTokenizerRenderer;
import dev.speculators.engine.GreedyDecoder;
import dev.speculators.engine.ReferenceModel;
import dev.speculators.io.PythonSupport;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The shipped tiny target is an ordinary Hugging Face model: transformers renders its chat template
 * to the same text and token ids as our renderer, and computes the same logits and greedy answer as
 * the reference engine. Skipped when Python cannot import torch and transformers.
 */
class TinyModelTransformersTest {
  private static final Path TINY = Path.of("examples/local/tiny-model");
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void transformersReadsTheTinyModelLikeTheReferenceEngine() throws Exception {
    PythonSupport.assumeModules("torch", "transformers");
    List<Map<String, Object>> messages =
        List.of(
            Map.of("role", "system", "content", "answer briefly ."),
            Map.of("role", "user", "content", "count from 3 to 9"),
            Map.of("role", "assistant", "content", "3 4 5 6 7 8 9"),
            Map.of("role", "user", "content", "What is the capital of France ?"));
    String stdout =
        PythonSupport.runSnippet(
            "import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')",
            "src/test/python/check_tiny_model.py",
            TINY.toString(),
            JSON.writeValueAsString(messages));
    String[] lines = stdout.strip().split("\n");
    JsonNode hf = JSON.readTree(lines[lines.length - 1]);

    try (TemplateTokenizerRenderer renderer = TemplateTokenizerRenderer.open(TINY, Map.of());
        ReferenceModel model = ReferenceModel.load(TINY);
        NDManager m = model.newManager()) {
      assertThat(renderer.renderText(messages, true)).isEqualTo(hf.get("text").asText());
      long[] ids = renderer.render(messages, true);
      assertThat(ids).containsExactly(longs(hf.get("ids")));

      float[] logits = model.newSession(m).extend(ids, new int[0]).logits().toFloatArray();
      int v = model.config().vocabSize();
      JsonNode expected = hf.get("lastLogits");
      assertThat(expected).hasSize(v);
      double worst = 0;
      for (int i = 0; i < v; i++) {
        worst =
            Math.max(worst, Math.abs(logits[logits.length - v + i] - expected.get(i).asDouble()));
      }
      assertThat(worst).as("max abs logit difference").isLessThan(1e-4);
      assertThat(new GreedyDecoder(model).generate(ids, 16).tokens())
          .containsExactly(longs(hf.get("greedy")));
    }
  }

  private static long[] longs(JsonNode a) {
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).asLong();
    }
    return out;
  }
}
