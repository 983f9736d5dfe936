package dev.speculators.engine.tiny;

import static org.assertj.core.api.Assertions.assertThat;

import dev.speculators.cli.MakeTinyModelCommand;
import dev.speculators.datagen.chat.ChatMessage;
import dev.speculators.datagen.chat.Conversation;
import dev.speculators.datagen.chat.TemplateTokenizerRenderer;
import dev.speculators.engine.ReferenceModel;
import dev.speculators.engine.TargetArchitecture;
import dev.speculators.engine.eval.PromptFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code make-tiny-model}: a small Llama that learns, written the same way every time. */
class MakeTinyModelCommandTest {
  private static final String[] SMALL = {
    "--seed",
    "3",
    "--steps",
    "60",
    "--hidden-size",
    "32",
    "--layers",
    "2",
    "--row-length",
    "128",
    "--conversations",
    "20",
    "--prompts",
    "7"
  };

  @Test
  void buildsTheSameFilesEveryTimeAndTheModelLearns(@TempDir Path tmp) throws Exception {
    String first = make(tmp.resolve("a"), tmp.resolve("a-data"));
    make(tmp.resolve("b"), tmp.resolve("b-data"));
    for (String f :
        List.of(
            "config.json",
            "generation_config.json",
            "model.safetensors",
            "tokenizer.json",
            "tokenizer_config.json")) {
      assertThat(Files.readAllBytes(tmp.resolve("a").resolve(f)))
          .as(f)
          .isEqualTo(Files.readAllBytes(tmp.resolve("b").resolve(f)));
    }
    for (String f : List.of(TinyCorpusFiles.CONVERSATIONS, TinyCorpusFiles.PROMPTS)) {
      assertThat(Files.readString(tmp.resolve("a-data").resolve(f)))
          .isEqualTo(Files.readString(tmp.resolve("b-data").resolve(f)));
    }
    // "loss A → B": training lowered it
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("loss ([0-9.]+) → ([0-9.]+)").matcher(first);
    assertThat(m.find()).as(first).isTrue();
    assertThat(Double.parseDouble(m.group(2))).isLessThan(Double.parseDouble(m.group(1)));

    try (ReferenceModel model = ReferenceModel.load(tmp.resolve("a"))) {
      assertThat(model.config().architecture()).isEqualTo(TargetArchitecture.LLAMA);
      assertThat(model.config().numLayers()).isEqualTo(2);
      assertThat(model.config().hiddenSize()).isEqualTo(32);
      TinyTokenizer tokenizer = TinyTokenizer.forCorpus();
      assertThat(model.config().vocabSize()).isEqualTo(tokenizer.vocabSize());
      assertThat(model.config().eosTokenIds())
          .containsExactly((long) tokenizer.id(TinyTokenizer.END));
    }
    assertThat(Files.readAllLines(tmp.resolve("a-data").resolve(TinyCorpusFiles.CONVERSATIONS)))
        .hasSize(20);
    assertThat(PromptFile.read(tmp.resolve("a-data").resolve(TinyCorpusFiles.PROMPTS), null, null))
        .hasSize(7);
  }

  @Test
  void theChatTemplateAndTokenizerCoverEveryCorpusWord(@TempDir Path tmp) throws IOException {
    TinyTokenizer tokenizer = TinyTokenizer.forCorpus();
    tokenizer.write(tmp);
    TinyCorpus corpus = new TinyCorpus(11);
    try (TemplateTokenizerRenderer renderer = TemplateTokenizerRenderer.open(tmp, Map.of())) {
      Conversation c = corpus.nextConversation();
      assertThat(renderer.renderText(c.prefix(c.messages().size()), false))
          .startsWith("<s>")
          .contains(
              "<|assistant|> "
                  + c.messages().get(c.messages().size() - 1).content()
                  + " <|end|>\n");
      List<Map<String, Object>> prompt =
          List.of(new ChatMessage(ChatMessage.USER, "Hello").toMap());
      assertThat(renderer.render(prompt, true))
          .containsExactly(
              tokenizer.id("<s>"),
              tokenizer.id("<|user|>"),
              tokenizer.id("hello"),
              tokenizer.id("<|end|>"),
              tokenizer.id("<|assistant|>"));
      long unk = tokenizer.id(TinyTokenizer.UNK);
      for (int i = 0; i < 300; i++) {
        Conversation next = corpus.nextConversation();
        assertThat(renderer.render(next.prefix(next.messages().size()), false))
            .as(next.toString())
            .doesNotContain(unk);
      }
    }
  }

  private static String make(Path model, Path data) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    String[] args = new String[SMALL.length + 4];
    System.arraycopy(SMALL, 0, args, 0, SMALL.length);
    args[SMALL.length] = "--output";
    args[SMALL.length + 1] = model.toString();
    args[SMALL.length + 2] = "--corpus";
    args[SMALL.length + 3] = data.toString();
    int code =
        new CommandLine(
                new MakeTinyModelCommand(new PrintStream(buf, true, StandardCharsets.UTF_8)))
            .execute(args);
    String out = buf.toString(StandardCharsets.UTF_8);
    assertThat(code).as(out).isZero();
    return out;
  }
}
