package dev.speculators.datagen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * {@code data/data_config.json}: upstream's version "2.0" fields (same names and nesting, so
 * upstream tools read it), plus a {@code speculators_operator} section with what upstream lacks:
 * the vLLM and operator versions, the GPU, the layer-id semantics, how loss masks were built, the
 * content hash with the request it covers ({@link DatasetIdentity}), what that request resolved to,
 * and the storage pre-flight's estimate.
 */
public final class DataConfig {
  static final String LAYER_ID_SEMANTICS =
      "vllm: id k = input of decoder layer k; id N = final layer output before the final norm";
  private static final ObjectMapper JSON = new ObjectMapper();

  private DataConfig() {}

  /** The facts fixed at the start of a run. */
  public record Description(
      String command,
      String operatorVersion,
      String vllmVersion,
      String gpu,
      String targetModel,
      String targetRevision,
      Integer tensorParallelSize,
      int hiddenSize,
      int numHiddenLayers,
      List<String> dataSpecs,
      int sequenceLength,
      Long maxSamples,
      long seed,
      boolean turnDropout,
      int[] layerIds,
      String cacheDir,
      String engine,
      String renderer,
      String hiddenStateSource,
      boolean onePerConversation,
      long plannedRows,
      int shards,
      String contentHash,
      JsonNode contentInputs,
      String resolvedInputsHash,
      JsonNode resolvedInputs,
      long estimatedBytes) {}

  public static ObjectNode build(Description d, DatasetMerger.Merged merged) {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", "2.0");
    root.put("generated_at", Instant.now().truncatedTo(ChronoUnit.MICROS).toString());
    root.put("speculators_version", "speculators-operator " + d.operatorVersion());

    ObjectNode repro = root.putObject("reproducibility");
    repro.put("command", d.command());
    ObjectNode versions = repro.putObject("package_versions");
    versions.putNull("torch");
    putOrNull(versions, "vllm", d.vllmVersion());
    versions.putNull("transformers");
    versions.putNull("speculators");
    versions.put("speculators-operator", d.operatorVersion());
    putOrNull(repro, "gpu", d.gpu());

    ObjectNode model = root.putObject("model");
    model.put("target_model_path", d.targetModel());
    if (d.tensorParallelSize() == null) {
      model.putNull("tensor_parallel_size");
    } else {
      model.put("tensor_parallel_size", d.tensorParallelSize());
    }
    model.putNull("gpu_memory_utilization");
    model.put("hidden_size", d.hiddenSize());

    ObjectNode data = root.putObject("data");
    data.put("train_data_path", String.join(" ", d.dataSpecs()));
    data.put("seq_length", d.sequenceLength());
    if (d.maxSamples() == null) {
      data.putNull("max_samples");
    } else {
      data.put("max_samples", d.maxSamples());
    }
    data.put("num_samples", merged.samples());
    data.put("seed", d.seed());
    data.put("chat_template_note", "Uses tokenizer's built-in chat template");

    ObjectNode hs = root.putObject("hidden_states");
    ArrayNode ids = hs.putArray("layer_ids");
    for (int id : d.layerIds()) {
      ids.add(id);
    }
    hs.put("description", "Layers selected for EAGLE3 fusion and target logits");
    // next to the ids, where the trainer looks: vLLM numbering, unlike upstream v0.3/v0.4 datasets
    hs.put("layer_id_semantics", LAYER_ID_SEMANTICS);

    putOrNull(root.putObject("generation"), "cache_dir", d.cacheDir());

    ObjectNode format = root.putObject("format");
    format.put("file_pattern", "data_{idx}.pt");
    format.put("data_format_version", 1);
    ObjectNode schema = format.putObject("schema");
    field(schema, "input_ids", "torch.long", "[seq_len]", "Tokenized input sequence", null);
    field(
        schema,
        "hidden_states",
        "list[torch.bfloat16]",
        "list of [seq_len, " + d.hiddenSize() + "]",
        "Hidden states from " + d.layerIds().length + " layers",
        d.layerIds().length);
    field(
        schema,
        "loss_mask",
        "torch.long",
        "[seq_len]",
        "1 for assistant tokens to train on, 0 elsewhere",
        null);

    ObjectNode ours = root.putObject("speculators_operator");
    ours.put("version", d.operatorVersion());
    ours.put("engine", d.engine());
    putOrNull(ours, "vllm_version", d.vllmVersion());
    putOrNull(ours, "gpu", d.gpu());
    ours.put("layer_id_semantics", LAYER_ID_SEMANTICS);
    ours.put("num_hidden_layers", d.numHiddenLayers());
    putOrNull(ours, "target_model_revision", d.targetRevision());
    ours.put("renderer", d.renderer());
    ours.put("hidden_state_source", d.hiddenStateSource());
    ours.put(
        "loss_mask",
        d.onePerConversation()
            ? "render boundaries; one row per conversation, every assistant turn masked"
            : "render boundaries; one row per assistant turn, only that turn masked");
    ours.put("turn_dropout", d.turnDropout());
    ours.put("planned_rows", d.plannedRows());
    ours.put("shards", d.shards());
    ours.put("samples", merged.samples());
    ours.put("failed_rows", merged.failedRows());
    ours.put("empty_rows", merged.emptyRows());
    ours.put("tokens", merged.tokens());
    ours.put("content_hash", d.contentHash());
    ours.set("content_inputs", d.contentInputs());
    ours.put("resolved_inputs_hash", d.resolvedInputsHash());
    ours.set("resolved_inputs", d.resolvedInputs());
    // the storage pre-flight's estimate, next to what was written (check the formula against it)
    ours.put("estimated_bytes", d.estimatedBytes());
    return root;
  }

  private static void field(
      ObjectNode schema, String name, String dtype, String shape, String description, Integer n) {
    ObjectNode f = schema.putObject(name);
    f.put("dtype", dtype);
    f.put("shape", shape);
    if (n != null) {
      f.put("num_tensors", n);
    }
    f.put("description", description);
  }

  private static void putOrNull(ObjectNode o, String key, String value) {
    if (value == null) {
      o.putNull(key);
    } else {
      o.put(key, value);
    }
  }
}
