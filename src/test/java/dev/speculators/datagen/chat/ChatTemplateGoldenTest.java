package dev.speculators.datagen.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChatTemplateGoldenTest {

  @ParameterizedTest
  @ValueSource(strings = {"llama3_1", "qwen3"})
  void rendersExactlyLikeTransformers(String model) {
    ChatTemplate template = GoldenChats.config(model).template();
    JsonNode golden = GoldenChats.golden(model);
    List<String> mismatches = new ArrayList<>();
    int n = 0;
    for (JsonNode r : golden.get("renders")) {
      n++;
      String expected = r.get("text").asText();
      String actual;
      try {
        actual =
            template.render(
                GoldenChats.messages(r.get("messages")),
                r.get("add_generation_prompt").asBoolean(),
                GoldenChats.kwargs(r.get("kwargs")));
      } catch (TemplateRenderException e) {
        mismatches.add("#" + n + " failed: " + e.getMessage());
        continue;
      }
      if (!expected.equals(actual)) {
        mismatches.add(
            "#"
                + n
                + "\nexpected: "
                + expected.replace("\n", "\\n")
                + "\nactual:   "
                + actual.replace("\n", "\\n"));
      }
    }
    assertThat(mismatches).as(model).isEmpty();
    assertThat(n).isGreaterThan(10);
  }
}
