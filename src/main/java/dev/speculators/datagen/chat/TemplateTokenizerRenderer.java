package dev.speculators.datagen.chat;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Renders with the model's chat template ({@link ChatTemplate}, Jinjava) and tokenizes with its
 * {@code tokenizer.json} (DJL's Hugging Face tokenizers binding), with no special tokens added —
 * the template writes BOS itself — and no truncation: DJL's default truncates at 512 tokens without
 * a word.
 */
public final class TemplateTokenizerRenderer implements ChatRenderer {
  private static final Map<String, String> OPTIONS =
      Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");

  private final ChatTemplate template;
  private final Map<String, Object> templateKwargs;
  private final HuggingFaceTokenizer tokenizer;
  private final String description;

  public TemplateTokenizerRenderer(
      ChatTemplate template,
      HuggingFaceTokenizer tokenizer,
      Map<String, Object> templateKwargs,
      String description) {
    this.template = template;
    this.tokenizer = tokenizer;
    this.templateKwargs = templateKwargs == null ? Map.of() : Map.copyOf(templateKwargs);
    this.description = description;
  }

  /** Opens {@code tokenizer.json} and the chat template of a Hugging Face model directory. */
  public static TemplateTokenizerRenderer open(Path modelDir, Map<String, Object> templateKwargs)
      throws IOException {
    Path tokenizerJson = modelDir.resolve("tokenizer.json");
    if (!Files.isRegularFile(tokenizerJson)) {
      throw new IOException("no tokenizer.json in " + modelDir);
    }
    TokenizerConfig config = TokenizerConfig.read(modelDir);
    HuggingFaceTokenizer tokenizer;
    try (InputStream in = Files.newInputStream(tokenizerJson)) {
      tokenizer = HuggingFaceTokenizer.newInstance(in, OPTIONS);
    }
    return new TemplateTokenizerRenderer(
        config.template(),
        tokenizer,
        templateKwargs,
        "chat template + tokenizer.json of " + modelDir);
  }

  /** The template's text (Jinjava rendering only, no tokens): for goldens and diagnostics. */
  public String renderText(List<Map<String, Object>> messages, boolean addGenerationPrompt) {
    return template.render(messages, addGenerationPrompt, templateKwargs);
  }

  @Override
  public long[] render(List<Map<String, Object>> messages, boolean addGenerationPrompt) {
    return encode(renderText(messages, addGenerationPrompt));
  }

  /** Token ids of {@code text}, no special tokens added, never truncated. */
  public long[] encode(String text) {
    Encoding e = tokenizer.encode(text, false, false);
    return e.getIds();
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
