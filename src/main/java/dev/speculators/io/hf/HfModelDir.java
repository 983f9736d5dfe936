package dev.speculators.io.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speculators.io.HostTensor;
import dev.speculators.io.SafeTensors;
import dev.speculators.io.SafeTensorsFile;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A Hugging Face model directory: {@code config.json}, safetensors weights (one file or shards with
 * {@code model.safetensors.index.json}), tokenizer files and chat template.
 *
 * <p>Architecture fields are looked up in {@code text_config} first (multimodal models keep the
 * language model's settings there) and then at the top level. Weight files are opened lazily and
 * kept open until {@link #close()}.
 */
public final class HfModelDir implements Closeable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String INDEX = "model.safetensors.index.json";
  private static final String SINGLE = "model.safetensors";

  private static final List<String> LM_HEAD_NAMES =
      List.of("lm_head.weight", "language_model.lm_head.weight", "model.lm_head.weight");
  private static final List<String> EMBED_NAMES =
      List.of(
          "model.embed_tokens.weight",
          "model.language_model.embed_tokens.weight",
          "language_model.model.embed_tokens.weight",
          "embed_tokens.weight");

  private final Path dir;
  private final JsonNode config;
  private final JsonNode textConfig;
  private final JsonNode generationConfig;

  /** tensor name -> weight file name, in a stable (sorted) order. */
  private final Map<String, String> weightFiles;

  private final Map<String, SafeTensorsFile> open = new LinkedHashMap<>();

  private HfModelDir(
      Path dir, JsonNode config, JsonNode generationConfig, Map<String, String> weightFiles) {
    this.dir = dir;
    this.config = config;
    JsonNode text = config.get("text_config");
    this.textConfig = text != null && text.isObject() ? text : config;
    this.generationConfig = generationConfig;
    this.weightFiles = weightFiles;
  }

  /**
   * Opens a model directory: reads {@code config.json} (required) and {@code
   * generation_config.json} (optional) and indexes the weight files.
   *
   * @throws NoSuchFileException when the directory or its {@code config.json} is missing
   * @throws IOException when a JSON file is malformed or a shard named by the index is missing
   */
  public static HfModelDir open(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "not a model directory");
    }
    Path configFile = dir.resolve("config.json");
    if (!Files.isRegularFile(configFile)) {
      throw new NoSuchFileException(
          configFile.toString(), null, "model directory has no config.json");
    }
    JsonNode config = readJson(configFile);
    if (!config.isObject()) {
      throw new IOException(configFile + ": not a JSON object");
    }
    Path gen = dir.resolve("generation_config.json");
    JsonNode generation = Files.isRegularFile(gen) ? readJson(gen) : null;
    return new HfModelDir(dir, config, generation, indexWeights(dir));
  }

  public Path dir() {
    return dir;
  }

  /** The whole {@code config.json}. */
  public JsonNode config() {
    return config;
  }

  /** {@code config.text_config} when present (multimodal models), else {@link #config()}. */
  public JsonNode textConfig() {
    return textConfig;
  }

  /** {@code generation_config.json}, when the directory has one. */
  public Optional<JsonNode> generationConfig() {
    return Optional.ofNullable(generationConfig);
  }

  // ------------------------------------------------------------------ architecture fields

  public int hiddenSize() {
    return requiredInt("hidden_size");
  }

  public int numHiddenLayers() {
    return requiredInt("num_hidden_layers");
  }

  public int vocabSize() {
    return requiredInt("vocab_size");
  }

  public int numAttentionHeads() {
    return requiredInt("num_attention_heads");
  }

  /** {@code num_key_value_heads}, defaulting to the number of attention heads (no GQA). */
  public int numKeyValueHeads() {
    JsonNode n = field("num_key_value_heads");
    return n == null ? numAttentionHeads() : positiveInt("num_key_value_heads", n);
  }

  /** {@code head_dim}, defaulting to hidden size / attention heads. */
  public int headDim() {
    JsonNode n = field("head_dim");
    if (n != null) {
      return positiveInt("head_dim", n);
    }
    int heads = numAttentionHeads();
    if (hiddenSize() % heads != 0) {
      throw new IllegalArgumentException(
          where("head_dim")
              + " is absent and hidden_size "
              + hiddenSize()
              + " is not divisible by num_attention_heads "
              + heads);
    }
    return hiddenSize() / heads;
  }

  public int intermediateSize() {
    return requiredInt("intermediate_size");
  }

  /** {@code rms_norm_eps}, defaulting to 1e-6 like transformers' Llama and Qwen configs. */
  public double rmsNormEps() {
    JsonNode n = field("rms_norm_eps");
    return n == null ? 1e-6 : number("rms_norm_eps", n);
  }

  /**
   * {@code rope_theta}, or {@code rope_parameters.rope_theta} (transformers 5 configs), defaulting
   * to 10000.
   */
  public double ropeTheta() {
    JsonNode n = field("rope_theta");
    if (n != null) {
      return number("rope_theta", n);
    }
    JsonNode params = field("rope_parameters");
    if (params != null && params.isObject() && params.hasNonNull("rope_theta")) {
      return number("rope_parameters.rope_theta", params.get("rope_theta"));
    }
    return 10000.0;
  }

  /**
   * The RoPE scaling settings: {@code rope_scaling}, or {@code rope_parameters} when its {@code
   * rope_type} is not {@code "default"}; null for plain RoPE.
   */
  public JsonNode ropeScaling() {
    JsonNode n = field("rope_scaling");
    if (n != null && n.isObject()) {
      return n;
    }
    JsonNode params = field("rope_parameters");
    if (params != null && params.isObject()) {
      String type = params.path("rope_type").asText(params.path("type").asText("default"));
      return "default".equals(type) ? null : params;
    }
    return null;
  }

  public int maxPositionEmbeddings() {
    return requiredInt("max_position_embeddings");
  }

  /**
   * The longest sequence of a speculator, from its {@code config.json}: the {@code
   * max_position_embeddings} of its {@code transformer_layer_config} (speculators format, what vLLM
   * takes as the draft's), else the top-level one (older EAGLE checkpoints); empty without either.
   */
  public static Optional<Integer> draftMaxPositionEmbeddings(JsonNode speculatorConfig) {
    JsonNode layer =
        speculatorConfig.path("transformer_layer_config").path("max_position_embeddings");
    JsonNode n = layer.canConvertToInt() ? layer : speculatorConfig.path("max_position_embeddings");
    return n.canConvertToInt() ? Optional.of(n.asInt()) : Optional.empty();
  }

  /**
   * {@code tie_word_embeddings} when the config states it; otherwise whether the weights lack an
   * {@code lm_head} (then the embedding doubles as output projection).
   */
  public boolean tieWordEmbeddings() {
    JsonNode n = field("tie_word_embeddings");
    if (n != null) {
      if (!n.isBoolean()) {
        throw new IllegalArgumentException(
            where("tie_word_embeddings") + " is not a boolean: " + n);
      }
      return n.booleanValue();
    }
    return !weightFiles.isEmpty() && firstPresent(LM_HEAD_NAMES) == null;
  }

  /** The top-level {@code model_type}. */
  public String modelType() {
    JsonNode n = config.get("model_type");
    if (n == null || !n.isTextual()) {
      throw new IllegalArgumentException(dir.resolve("config.json") + ": missing \"model_type\"");
    }
    return n.asText();
  }

  /** {@code architectures} (empty when absent). */
  public List<String> architectures() {
    List<String> out = new ArrayList<>();
    JsonNode n = config.get("architectures");
    if (n != null && n.isArray()) {
      n.forEach(a -> out.add(a.asText()));
    }
    return out;
  }

  /** {@code pad_token_id} from the config, else from the generation config. */
  public OptionalLong padTokenId() {
    return tokenId("pad_token_id");
  }

  /** {@code bos_token_id} from the config, else from the generation config. */
  public OptionalLong bosTokenId() {
    return tokenId("bos_token_id");
  }

  /**
   * Every end-of-sequence id: {@code eos_token_id} of the config and of the generation config (each
   * an int or a list), in that order without repeats. vLLM stops on all of them.
   */
  public List<Long> eosTokenIds() {
    Set<Long> ids = new LinkedHashSet<>();
    addIds(ids, field("eos_token_id"));
    if (generationConfig != null) {
      addIds(ids, generationConfig.get("eos_token_id"));
    }
    return List.copyOf(ids);
  }

  // ------------------------------------------------------------------ weights

  /** All tensor names across the weight files, sorted. */
  public Set<String> tensorNames() {
    return Collections.unmodifiableSet(weightFiles.keySet());
  }

  public boolean has(String name) {
    return weightFiles.containsKey(name);
  }

  /** A whole tensor (memory-mapped when large). */
  public HostTensor tensor(String name) throws IOException {
    return file(name).get(name);
  }

  /** Rows {@code [from, to)} along dimension 0 of a tensor, reading only those bytes. */
  public HostTensor tensorRows(String name, long from, long to) throws IOException {
    return file(name).getRows(name, from, to);
  }

  /** dtype and shape of a tensor without reading it. */
  public SafeTensorsFile.TensorInfo tensorInfo(String name) throws IOException {
    return file(name).info(name);
  }

  /**
   * The name of the output projection: {@code lm_head.weight}, or the embedding when tied or
   * absent.
   */
  public String lmHeadWeightName() {
    String lmHead = firstPresent(LM_HEAD_NAMES);
    if (lmHead != null && !tieWordEmbeddings()) {
      return lmHead;
    }
    String embed = firstPresent(EMBED_NAMES);
    if (embed != null) {
      return embed;
    }
    if (lmHead != null) {
      return lmHead;
    }
    throw new IllegalArgumentException(
        dir
            + ": no output projection among the weights (looked for "
            + LM_HEAD_NAMES
            + " and "
            + EMBED_NAMES
            + ")");
  }

  /** The output projection [vocab, hidden]: see {@link #lmHeadWeightName()}. */
  public HostTensor lmHeadWeight() throws IOException {
    return tensor(lmHeadWeightName());
  }

  /** The name of the token embedding [vocab, hidden]. */
  public String embedTokensWeightName() {
    String embed = firstPresent(EMBED_NAMES);
    if (embed == null) {
      throw new IllegalArgumentException(
          dir + ": no token embedding among the weights (looked for " + EMBED_NAMES + ")");
    }
    return embed;
  }

  // ------------------------------------------------------------------ tokenizer

  public boolean hasTokenizerJson() {
    return Files.isRegularFile(dir.resolve("tokenizer.json"));
  }

  /**
   * The {@code tokenizer.json} path.
   *
   * @throws NoSuchFileException when the directory has none
   */
  public Path tokenizerJson() throws NoSuchFileException {
    Path p = dir.resolve("tokenizer.json");
    if (!Files.isRegularFile(p)) {
      throw new NoSuchFileException(p.toString(), null, "model directory has no tokenizer.json");
    }
    return p;
  }

  /** {@code tokenizer_config.json}, when present. */
  public Optional<JsonNode> tokenizerConfig() throws IOException {
    Path p = dir.resolve("tokenizer_config.json");
    return Files.isRegularFile(p) ? Optional.of(readJson(p)) : Optional.empty();
  }

  /**
   * The default chat template, looked up like transformers does: {@code chat_template.jinja}, then
   * {@code chat_template.json}, then {@code chat_template} of {@code tokenizer_config.json} (a
   * string, or a list of named templates of which the one named {@code "default"} is used).
   */
  public Optional<String> chatTemplate() throws IOException {
    Path jinja = dir.resolve("chat_template.jinja");
    if (Files.isRegularFile(jinja)) {
      return Optional.of(Files.readString(jinja));
    }
    Path json = dir.resolve("chat_template.json");
    if (Files.isRegularFile(json)) {
      JsonNode t = readJson(json).get("chat_template");
      if (t != null && t.isTextual()) {
        return Optional.of(t.asText());
      }
    }
    Optional<JsonNode> tc = tokenizerConfig();
    if (tc.isEmpty()) {
      return Optional.empty();
    }
    JsonNode t = tc.get().get("chat_template");
    if (t == null || t.isNull()) {
      return Optional.empty();
    }
    if (t.isTextual()) {
      return Optional.of(t.asText());
    }
    return namedTemplate(t, "default");
  }

  /**
   * A named chat template (e.g. {@code "tool_use"}): from {@code
   * additional_chat_templates/<name>.jinja} or the list form of {@code tokenizer_config.json}'s
   * {@code chat_template}.
   */
  public Optional<String> chatTemplate(String name) throws IOException {
    if ("default".equals(name)) {
      return chatTemplate();
    }
    Path file = dir.resolve("additional_chat_templates").resolve(name + ".jinja");
    if (Files.isRegularFile(file)) {
      return Optional.of(Files.readString(file));
    }
    Optional<JsonNode> tc = tokenizerConfig();
    if (tc.isEmpty() || !tc.get().has("chat_template")) {
      return Optional.empty();
    }
    return namedTemplate(tc.get().get("chat_template"), name);
  }

  /** Closes the weight files that were opened. */
  @Override
  public synchronized void close() throws IOException {
    IOException first = null;
    for (SafeTensorsFile f : open.values()) {
      try {
        f.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    open.clear();
    if (first != null) {
      throw first;
    }
  }

  // ------------------------------------------------------------------ internals

  private static Map<String, String> indexWeights(Path dir) throws IOException {
    Map<String, String> out = new TreeMap<>();
    Path index = dir.resolve(INDEX);
    if (Files.isRegularFile(index)) {
      JsonNode map = readJson(index).get("weight_map");
      if (map == null || !map.isObject()) {
        throw new IOException(index + ": missing \"weight_map\"");
      }
      for (Map.Entry<String, JsonNode> e : map.properties()) {
        String file = e.getValue().asText();
        if (!Files.isRegularFile(dir.resolve(file))) {
          throw new NoSuchFileException(
              dir.resolve(file).toString(),
              null,
              INDEX + " maps '" + e.getKey() + "' to a missing shard");
        }
        out.put(e.getKey(), file);
      }
      return out;
    }
    List<String> files = new ArrayList<>();
    if (Files.isRegularFile(dir.resolve(SINGLE))) {
      files.add(SINGLE);
    } else {
      try (Stream<Path> s = Files.list(dir)) {
        s.map(p -> p.getFileName().toString())
            .filter(n -> n.endsWith(".safetensors"))
            .sorted()
            .forEach(files::add);
      }
    }
    for (String file : files) {
      try (SafeTensorsFile f = SafeTensors.open(dir.resolve(file))) {
        for (String name : f.names()) {
          String previous = out.put(name, file);
          if (previous != null) {
            throw new IOException(
                dir + ": tensor '" + name + "' is in both " + previous + " and " + file);
          }
        }
      }
    }
    return out;
  }

  private synchronized SafeTensorsFile file(String name) throws IOException {
    String file = weightFiles.get(name);
    if (file == null) {
      throw new IllegalArgumentException(
          dir
              + ": no tensor named '"
              + name
              + "'"
              + (weightFiles.isEmpty() ? " (the directory has no safetensors weights)" : ""));
    }
    SafeTensorsFile f = open.get(file);
    if (f == null) {
      f = SafeTensors.open(dir.resolve(file));
      open.put(file, f);
    }
    if (!f.has(name)) {
      throw new IOException(
          dir.resolve(file) + ": the index promises tensor '" + name + "' but the file lacks it");
    }
    return f;
  }

  private String firstPresent(List<String> names) {
    for (String n : names) {
      if (weightFiles.containsKey(n)) {
        return n;
      }
    }
    return null;
  }

  private JsonNode field(String key) {
    JsonNode n = textConfig.get(key);
    if (n == null || n.isNull()) {
      n = config.get(key);
    }
    return n == null || n.isNull() ? null : n;
  }

  private String where(String key) {
    return dir.resolve("config.json") + ": \"" + key + "\"";
  }

  private int requiredInt(String key) {
    JsonNode n = field(key);
    if (n == null) {
      throw new IllegalArgumentException(dir.resolve("config.json") + ": missing \"" + key + "\"");
    }
    return positiveInt(key, n);
  }

  private int positiveInt(String key, JsonNode n) {
    if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() <= 0) {
      throw new IllegalArgumentException(where(key) + " must be a positive integer, not " + n);
    }
    return n.intValue();
  }

  private double number(String key, JsonNode n) {
    if (!n.isNumber()) {
      throw new IllegalArgumentException(where(key) + " must be a number, not " + n);
    }
    return n.doubleValue();
  }

  private OptionalLong tokenId(String key) {
    JsonNode n = field(key);
    if (n == null && generationConfig != null) {
      n = generationConfig.get(key);
    }
    if (n == null || n.isNull()) {
      return OptionalLong.empty();
    }
    if (n.isArray() && n.size() > 0) {
      n = n.get(0);
    }
    if (!n.isIntegralNumber()) {
      throw new IllegalArgumentException(where(key) + " is not a token id: " + n);
    }
    return OptionalLong.of(n.longValue());
  }

  private void addIds(Set<Long> ids, JsonNode n) {
    if (n == null || n.isNull()) {
      return;
    }
    if (n.isIntegralNumber()) {
      ids.add(n.longValue());
    } else if (n.isArray()) {
      for (JsonNode v : n) {
        if (!v.isIntegralNumber()) {
          throw new IllegalArgumentException(
              where("eos_token_id") + " has a non-integer entry " + v);
        }
        ids.add(v.longValue());
      }
    } else {
      throw new IllegalArgumentException(
          where("eos_token_id") + " is neither an id nor a list: " + n);
    }
  }

  private Optional<String> namedTemplate(JsonNode t, String name) {
    if (t.isArray()) {
      for (JsonNode entry : t) {
        if (name.equals(entry.path("name").asText()) && entry.path("template").isTextual()) {
          return Optional.of(entry.get("template").asText());
        }
      }
      return Optional.empty();
    }
    if (t.isObject() && t.path(name).isTextual()) {
      return Optional.of(t.get(name).asText());
    }
    return Optional.empty();
  }

  private static JsonNode readJson(Path p) throws IOException {
    try {
      return JSON.readTree(p.toFile());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IOException(p + ": malformed JSON: " + e.getOriginalMessage(), e);
    }
  }
}
