package dev.speculators.datagen;

import dev.speculators.io.hf.HfModelDir;
import dev.speculators.io.hub.HfHub;
import dev.speculators.io.hub.RepoType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * What the worker needs to know about the target model: its layer count and hidden size ({@link
 * HfModelDir}: {@code config.json}, or its {@code text_config} for multimodal models), where its
 * tokenizer and chat template are, and a revision for the content hash. {@code --model} is a local
 * Hugging Face directory or a Hub id; for an id only the small configuration and tokenizer files
 * are fetched.
 */
public record TargetModel(
    String id, Path dir, String revision, int numHiddenLayers, int hiddenSize) {
  /**
   * The files fetched from the Hub for a model id (no weights: vLLM or the reference engine load
   * those).
   */
  static final Set<String> METADATA_FILES =
      Set.of(
          "config.json",
          "tokenizer.json",
          "tokenizer_config.json",
          "chat_template.jinja",
          "chat_template.json",
          "generation_config.json",
          "special_tokens_map.json");

  public static TargetModel resolve(String model, String revision, HfHub hub) throws IOException {
    Path local = Path.of(model);
    if (Files.isDirectory(local)) {
      Path config = local.resolve("config.json");
      if (!Files.isRegularFile(config)) {
        throw new IOException("--model " + model + ": no config.json in that directory");
      }
      return of(model, local, "local:sha256:" + ContentHash.sha256(config));
    }
    if (!model.matches("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?")) {
      throw new IOException(
          "--model " + model + " is neither a directory nor a Hugging Face model id");
    }
    if (hub == null) {
      throw new IOException("--model " + model + ": no Hugging Face Hub client");
    }
    Path snapshot = hub.downloadAll(RepoType.MODEL, model, revision, METADATA_FILES::contains);
    return of(model, snapshot, snapshot.getFileName().toString());
  }

  static TargetModel of(String id, Path dir, String revision) throws IOException {
    try (HfModelDir m = HfModelDir.open(dir)) {
      int layers = m.numHiddenLayers();
      int hidden = m.hiddenSize();
      if (layers < 1 || hidden < 1) {
        throw new IOException(
            dir.resolve("config.json") + ": num_hidden_layers and hidden_size must be positive");
      }
      return new TargetModel(id, dir, revision, layers, hidden);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IOException("--model " + id + ": " + e.getMessage(), e);
    }
  }

  /**
   * vLLM's default capture for EAGLE3: aux layers {@code 2, N/2, N-3} and the final layer {@code
   * N}.
   */
  public int[] defaultLayerIds() {
    int n = numHiddenLayers;
    return new int[] {Math.min(2, n), n / 2, Math.max(0, n - 3), n};
  }

  public Path tokenizerJson() {
    return dir.resolve("tokenizer.json");
  }
}
