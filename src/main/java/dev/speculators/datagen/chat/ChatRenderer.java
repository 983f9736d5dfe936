package dev.speculators.datagen.chat;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Chat template + tokenizer: the token ids of a conversation prefix, exactly as the serving stack
 * would build its prompt. Implementations: {@link TemplateTokenizerRenderer} (Jinjava + HF
 * tokenizers, in process) and {@code VllmTokenizeRenderer} (the vLLM server's own {@code
 * /tokenize}).
 */
public interface ChatRenderer extends AutoCloseable {

  /**
   * @param messages template messages ({@code role}, {@code content}, ...)
   * @param addGenerationPrompt append the assistant header that starts the next turn
   * @throws TemplateRenderException when the template rejects this conversation (not retryable)
   * @throws IOException when the renderer could not be reached (retryable)
   */
  long[] render(List<Map<String, Object>> messages, boolean addGenerationPrompt)
      throws IOException, InterruptedException;

  /** What renders, for logs and metadata (e.g. {@code "vllm /tokenize at http://..."}). */
  String description();

  @Override
  default void close() {}
}
