package dev.speculators.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.speculators.eval.EvalException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptFileTest {

  @Test
  void readsTextPromptsAndConversationsUpToTheLastUserTurn(@TempDir Path tmp) throws Exception {
    Path f = tmp.resolve("p.jsonl");
    Files.writeString(
        f,
        """
        {"prompt": "first"}

        {"question": "second", "answer": "ignored"}
        {"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "u1"}, {"role": "assistant", "content": "a1"}, {"role": "user", "content": "u2"}, {"role": "assistant", "content": "a2"}]}
        {"conversations": [{"from": "human", "value": "h"}, {"from": "gpt", "value": "g"}]}
        """);
    List<List<Map<String, Object>>> prompts = PromptFile.read(f, null, null);
    assertThat(prompts).hasSize(4);
    assertThat(prompts.get(0)).containsExactly(Map.of("role", "user", "content", "first"));
    assertThat(prompts.get(1)).containsExactly(Map.of("role", "user", "content", "second"));
    assertThat(prompts.get(2))
        .extracting(m -> m.get("role"))
        .containsExactly("system", "user", "assistant", "user");
    assertThat(prompts.get(3)).containsExactly(Map.of("role", "user", "content", "h"));
    assertThat(PromptFile.read(f, null, 2)).hasSize(2);
  }

  @Test
  void aNamedTextColumnWins(@TempDir Path tmp) throws Exception {
    Path f = tmp.resolve("p.jsonl");
    Files.writeString(f, "{\"prompt\": \"no\", \"body\": \"yes\"}\n");
    assertThat(PromptFile.read(f, "body", null).get(0))
        .containsExactly(Map.of("role", "user", "content", "yes"));
  }

  @Test
  void errorsNameTheFileAndLine(@TempDir Path tmp) throws IOException {
    Path f = tmp.resolve("p.jsonl");
    Files.writeString(f, "{\"prompt\": \"ok\"}\n{\"other\": 1}\n");
    assertThatThrownBy(() -> PromptFile.read(f, null, null))
        .isInstanceOf(EvalException.class)
        .hasMessageContaining("p.jsonl line 2")
        .hasMessageContaining("no prompt");
    Files.writeString(f, "{\"prompt\": \"ok\"}\nnot json\n");
    assertThatThrownBy(() -> PromptFile.read(f, null, null))
        .hasMessageContaining("line 2: not JSON");
    Files.writeString(f, "{\"messages\": [{\"role\": \"assistant\", \"content\": \"a\"}]}\n");
    assertThatThrownBy(() -> PromptFile.read(f, null, null)).hasMessageContaining("no user turn");
  }
}
