package dev.speculators.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.io.AtomicFiles;
import dev.speculators.io.hub.HfHub;
import dev.speculators.io.hub.RepoType;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code layer-ids}: the hidden-state layers to capture for a target model, from its {@code
 * config.json}: the EAGLE3 default {@code [2, N/2, N-3, N]} (N = number of decoder layers, vLLM
 * semantics), the same default {@code datagen} applies. Runs as an init container of a data
 * generation pod when the dataset names no layer ids: it writes vLLM's {@code
 * extract_hidden_states} speculative config, which the vLLM sidecar reads when it starts.
 */
@Command(
    name = "layer-ids",
    mixinStandardHelpOptions = true,
    description = {
      "Resolve the hidden-state layer ids of a target model from its config.json (a local directory, or a"
          + " Hugging Face id fetched with $HF_TOKEN into $HF_HOME) and print them.",
      "With --speculative-config, also write vLLM's extract_hidden_states config for them.",
      "Exit codes: 0 ok, 1 the config cannot be read, 2 usage."
    })
public final class LayerIdsCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(
      names = "--model",
      required = true,
      paramLabel = "DIR_OR_ID",
      description = "Target model: a directory or a Hub id.")
  String model;

  @Option(
      names = "--revision",
      defaultValue = "main",
      paramLabel = "REV",
      description = "Hub revision (default: ${DEFAULT-VALUE}).")
  String revision;

  @Option(
      names = "--layer-ids",
      split = ",",
      paramLabel = "ID",
      description = "Explicit ids to check against the model instead of the default.")
  List<Integer> explicit;

  @Option(
      names = "--speculative-config",
      paramLabel = "FILE",
      description = "Write vLLM's extract_hidden_states speculative config here.")
  Path speculativeConfig;

  private final HfHub hub;
  private final PrintStream out;
  private final PrintStream err;

  /** The command as the jar runs it: Hub settings from the environment. */
  public LayerIdsCommand() {
    this(null, System.out, System.err);
  }

  /** For tests: a Hub client (null: from the environment) and the output streams. */
  public LayerIdsCommand(HfHub hub, PrintStream out, PrintStream err) {
    this.hub = hub;
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() {
    int layers;
    try {
      layers = numHiddenLayers(readConfig());
    } catch (IOException | IllegalArgumentException e) {
      err.println("layer-ids: " + e.getMessage());
      return 1;
    }
    List<Integer> ids;
    if (explicit != null && !explicit.isEmpty()) {
      for (int id : explicit) {
        if (id < 0 || id > layers) {
          err.println(
              "layer-ids: --layer-ids "
                  + id
                  + " is outside 0.."
                  + layers
                  + " (the model has "
                  + layers
                  + " decoder layers; "
                  + layers
                  + " is the final layer)");
          return 2;
        }
      }
      ids = List.copyOf(explicit);
    } else {
      ids = defaults(layers);
    }
    try {
      if (speculativeConfig != null) {
        AtomicFiles.writeString(speculativeConfig, extractionConfig(ids));
      }
    } catch (IOException e) {
      err.println("layer-ids: cannot write " + speculativeConfig + ": " + e.getMessage());
      return 1;
    }
    out.println(ids.stream().map(String::valueOf).collect(Collectors.joining(",")));
    out.flush();
    return 0;
  }

  /**
   * The EAGLE3 default for a model with {@code n} decoder layers: aux {@code [2, n/2, n-3]} and n.
   */
  public static List<Integer> defaults(int n) {
    return List.of(Math.min(2, n), n / 2, Math.max(0, n - 3), n);
  }

  /** vLLM's {@code extract_hidden_states} speculative config capturing {@code ids}. */
  public static String extractionConfig(List<Integer> ids) {
    ObjectNode c = JSON.createObjectNode();
    c.put("method", "extract_hidden_states");
    c.put("num_speculative_tokens", 1);
    ArrayNode a =
        c.putObject("draft_model_config")
            .putObject("hf_config")
            .putArray("eagle_aux_hidden_state_layer_ids");
    ids.forEach(a::add);
    return c.toString();
  }

  private JsonNode readConfig() throws IOException {
    Path dir = Path.of(model);
    Path config;
    if (Files.isDirectory(dir) || model.startsWith("/") || model.startsWith(".")) {
      config = dir.resolve("config.json");
      if (!Files.isRegularFile(config)) {
        throw new IOException(config + " does not exist");
      }
    } else {
      config =
          (hub != null ? hub : HfHub.fromEnvironment())
              .download(RepoType.MODEL, model, revision, "config.json");
    }
    try {
      return JSON.readTree(config.toFile());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IOException(
          config
              + (e.getLocation() == null
                  ? ""
                  : " line "
                      + e.getLocation().getLineNr()
                      + ", column "
                      + e.getLocation().getColumnNr())
              + ": not valid JSON: "
              + e.getOriginalMessage(),
          e);
    }
  }

  /** The decoder layer count, from {@code text_config} for multimodal models. */
  static int numHiddenLayers(JsonNode config) {
    JsonNode text = config.path("text_config");
    JsonNode n =
        text.has("num_hidden_layers")
            ? text.get("num_hidden_layers")
            : config.get("num_hidden_layers");
    if (n == null || !n.canConvertToInt() || n.asInt() < 1) {
      throw new IllegalArgumentException("config.json has no positive num_hidden_layers");
    }
    return n.asInt();
  }

  /** For picocli's help. */
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
}
