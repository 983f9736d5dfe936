package dev.speculators.engine.eval;

import java.nio.file.Path;
import java.util.List;

/**
 * An evaluation with the reference engine ({@code eval --engine reference}).
 *
 * @param targetModel local Hugging Face directory of the target
 * @param speculator speculator directory (config.json + model.safetensors)
 * @param data {@code --data} values: prompt files (local or {@code org/dataset:file.jsonl})
 * @param maxRequests prompts per dataset (null: all)
 * @param maxOutputTokens generated tokens per prompt at most (decoding stops earlier at an end
 *     token)
 * @param textColumn the prompt field of the records, or null to guess
 * @param untrainedBaseline also run a fresh draft of the same shape, for comparison
 * @param checkLossless also decode every prompt without speculation and require identical output
 * @param terminationLog where the summary goes for Kubernetes, or null (a local run)
 */
public record ReferenceEvalSettings(
    Path targetModel,
    Path speculator,
    List<String> data,
    Path output,
    int numSpeculativeTokens,
    Integer maxRequests,
    int maxOutputTokens,
    String textColumn,
    boolean untrainedBaseline,
    long untrainedSeed,
    boolean checkLossless,
    Path terminationLog) {

  public ReferenceEvalSettings {
    data = List.copyOf(data);
    if (data.isEmpty()) {
      throw new IllegalArgumentException("--data: at least one prompt file is required");
    }
    if (numSpeculativeTokens < 1 || numSpeculativeTokens > 16) {
      throw new IllegalArgumentException(
          "--num-speculative-tokens must be in 1..16, got " + numSpeculativeTokens);
    }
    if (maxRequests != null && maxRequests < 1) {
      throw new IllegalArgumentException("--max-requests must be >= 1, got " + maxRequests);
    }
    if (maxOutputTokens < 1) {
      throw new IllegalArgumentException(
          "--max-output-tokens must be >= 1, got " + maxOutputTokens);
    }
  }
}
