package dev.speculators.datagen.chat;

/**
 * A chat template could not be rendered for a conversation (template error or {@code
 * raise_exception}).
 */
public final class TemplateRenderException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TemplateRenderException(String message, Throwable cause) {
    super(message, cause);
  }
}
