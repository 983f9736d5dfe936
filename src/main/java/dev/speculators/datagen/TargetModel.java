package dev.speculators.datagen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speculators.io.hub.HfHub;
import dev.speculators.io.hub.RepoType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * What the worker needs to know about the target model: its layer count and hidden size (from
 * {@code config.json}, with the {@code text_config} of multimodal configs), where its tokenizer
 * and chat template are, and a revision for the content hash. {@code --model} is a local Hugging
 * Face directory or a Hub id; for an id only the small configuration and tokenizer files are
 * fetched.
 */
public record TargetModel(String id, Path dir, String revision, int numHiddenLayers, int hiddenSize) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The files fetched from the Hub for a model id (no weights: vLLM or the reference engine load those). */
  static final Set<String> METADATA_FILES =
      Set.of(
          "config.json", "tokenizer.json", "tokenizer_config.json", "chat_template.jinja",
          "chat_template.json", "generation_config.json", "special_tokens_map.json");

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
      throw new IOException("--model " + model + " is neither a directory nor a Hugging Face model id");
    }
    if (hub == null) {
      throw new IOException("--model " + model + ": no Hugging Face Hub client");
    }
    Path snapshot = hub.downloadAll(RepoType.MODEL, model, revision, METADATA_FILES::contains);
    return of(model, snapshot, snapshot.getFileName().toString());
  }

  static TargetModel of(String id, Path dir, String revision) throws IOException {
    JsonNode config = JSON.readTree(dir.resolve("config.json").toFile());
    JsonNode text = config.has("text_config") ? config.get("text_config") : config;
    int layers = intField(text, config, "num_hidden_layers", dir);
    int hidden = intField(text, config, "hidden_size", dir);
    return new TargetModel(id, dir, revision, layers, hidden);
  }

  private static int intField(JsonNode text, JsonNode config, String name, Path dir) throws IOException {
    JsonNode v = text.has(name) ? text.get(name) : config.get(name);
    if (v == null || !v.canConvertToInt() || v.asInt() < 1) {
      throw new IOException(dir.resolve("config.json") + ": field " + name + " is missing or not a positive integer");
    }
    return v.asInt();
  }

  /** vLLM's default capture for EAGLE3: aux layers {@code 2, N/2, N-3} and the final layer {@code N}. */
  public int[] defaultLayerIds() {
    int n = numHiddenLayers;
    return new int[] {Math.min(2, n), n / 2, Math.max(0, n - 3), n};
  }

  public Path tokenizerJson() {
    return dir.resolve("tokenizer.json");
  }
}
