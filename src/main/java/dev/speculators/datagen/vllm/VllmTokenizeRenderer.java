package dev.speculators.datagen.vllm;

import dev.speculators.datagen.GenerationException;
import dev.speculators.datagen.chat.ChatRenderer;
import java.util.List;
import java.util.Map;

/**
 * Renders with the vLLM server's own chat template and tokenizer ({@code POST /tokenize} with
 * {@code messages}), so that masks line up with exactly the prompts the server would build.
 */
public final class VllmTokenizeRenderer implements ChatRenderer {
  private final VllmClient client;
  private final String model;
  private final Map<String, Object> templateKwargs;

  public VllmTokenizeRenderer(VllmClient client, String model, Map<String, Object> templateKwargs) {
    this.client = client;
    this.model = model;
    this.templateKwargs = templateKwargs == null ? Map.of() : Map.copyOf(templateKwargs);
  }

  @Override
  public long[] render(List<Map<String, Object>> messages, boolean addGenerationPrompt)
      throws GenerationException, InterruptedException {
    return client.tokenizeChat(model, messages, addGenerationPrompt, templateKwargs);
  }

  @Override
  public String description() {
    return "vLLM /tokenize at " + client.base();
  }
}
