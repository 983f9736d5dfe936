package dev.speculators.datagen.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reference renderer (Jinjava + DJL tokenizers) against transformers + tokenizers in Python. */
class ChatRowBuilderGoldenTest {
  @TempDir static Path tmp;
  static Path llama;
  static Path qwen;

  @BeforeAll
  static void unpack() throws Exception {
    llama = GoldenChats.modelDir("llama3_1", tmp.resolve("llama3_1"));
    qwen = GoldenChats.modelDir("qwen3", tmp.resolve("qwen3"));
  }

  static final Map<String, TemplateTokenizerRenderer> RENDERERS = new java.util.HashMap<>();

  static Path dir(String model) {
    return model.equals("llama3_1") ? llama : qwen;
  }

  /** One renderer per model and template kwargs: loading a real tokenizer takes about a second. */
  static TemplateTokenizerRenderer renderer(String model, Map<String, Object> kwargs)
      throws Exception {
    String key = model + kwargs;
    TemplateTokenizerRenderer r = RENDERERS.get(key);
    if (r == null) {
      r = TemplateTokenizerRenderer.open(dir(model), kwargs);
      RENDERERS.put(key, r);
    }
    return r;
  }

  @AfterAll
  static void closeRenderers() {
    RENDERERS.values().forEach(TemplateTokenizerRenderer::close);
  }

  @Test
  void llamaTokenIdsMatchPython() throws Exception {
    assertTokenIds("llama3_1");
  }

  @Test
  void qwen3TokenIdsMatchPython() throws Exception {
    assertTokenIds("qwen3");
  }

  @Test
  void llamaRowsAndMasksMatchPython() throws Exception {
    assertRows("llama3_1");
  }

  @Test
  void qwen3RowsAndMasksMatchPython() throws Exception {
    assertRows("qwen3");
  }

  private void assertTokenIds(String model) throws Exception {
    JsonNode golden = GoldenChats.golden(model);
    int n = 0;
    for (JsonNode r : golden.get("renders")) {
      Map<String, Object> kwargs = GoldenChats.kwargs(r.get("kwargs"));
      {
        TemplateTokenizerRenderer renderer = renderer(model, kwargs);
        long[] ids =
            renderer.render(
                GoldenChats.messages(r.get("messages")),
                r.get("add_generation_prompt").asBoolean());
        assertThat(ids)
            .as("%s render #%d: %s", model, n, r.get("text").asText())
            .containsExactly(longs(r.get("ids")));
      }
      n++;
    }
    assertThat(n).isGreaterThan(10);
  }

  private void assertRows(String model) throws Exception {
    JsonNode golden = GoldenChats.golden(model);
    for (JsonNode c : golden.get("rows")) {
      Map<String, Object> kwargs = GoldenChats.kwargs(c.get("kwargs"));
      Conversation conv =
          conversation(golden.get("conversations").get(c.get("conversation").asText()));
      {
        TemplateTokenizerRenderer renderer = renderer(model, kwargs);
        ChatRowBuilder builder = new ChatRowBuilder(renderer, c.get("seq_length").asInt());
        boolean prefixMode = builder.probePrefixProperty();
        assertThat(prefixMode).isEqualTo(c.get("prefix_mode").asBoolean());
        JsonNode rows = c.get("rows");
        assertThat(ChatRowBuilder.rowCount(conv, prefixMode)).isEqualTo(rows.size());
        for (int i = 0; i < rows.size(); i++) {
          TokenRow row = builder.row(conv, i, prefixMode);
          String what =
              model
                  + " "
                  + c.get("conversation").asText()
                  + " "
                  + kwargs
                  + " seq "
                  + c.get("seq_length")
                  + " row "
                  + i;
          assertThat(row.inputIds()).as(what).containsExactly(longs(rows.get(i).get("input_ids")));
          assertThat(row.lossMask()).as(what).containsExactly(longs(rows.get(i).get("loss_mask")));
        }
      }
    }
  }

  static Conversation conversation(JsonNode turns) {
    List<ChatMessage> out = new ArrayList<>();
    turns.forEach(t -> out.add(new ChatMessage(t.get("role").asText(), t.get("content").asText())));
    return new Conversation(out);
  }

  static long[] longs(JsonNode a) {
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).asLong();
    }
    return out;
  }
}
