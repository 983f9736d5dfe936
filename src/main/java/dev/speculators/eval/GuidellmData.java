package dev.speculators.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code --data} value of GuideLLM 0.7.3 for a dataset ({@code src/guidellm/data/
 * deserializers/}).
 *
 * <p>The file kinds load through {@code datasets.load_dataset(<builder>, data_files=path,
 * **load_kwargs)}, which without a {@code split} returns a {@code DatasetDict} that GuideLLM cannot
 * use ({@code AttributeError: 'DatasetDict' object has no attribute 'info'}); a local file always
 * has exactly the split {@code train}, so it is named. A Hub dataset ({@code kind=huggingface}) has
 * splits of its own, so its spec must name one.
 */
public final class GuidellmData {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Data file extensions and the GuideLLM kinds that read them. */
  private static final Map<String, String> FILE_KINDS = new LinkedHashMap<>();

  static {
    FILE_KINDS.put("jsonl", "json_file");
    FILE_KINDS.put("json", "json_file");
    FILE_KINDS.put("csv", "csv_file");
    FILE_KINDS.put("parquet", "parquet_file");
  }

  /** Kinds that go through {@code load_dataset} and need a split. */
  private static final Set<String> SPLIT_FILE_KINDS =
      Set.of("json_file", "csv_file", "parquet_file", "arrow_file", "tar_file");

  private static final Set<String> HUB_KINDS = Set.of("huggingface", "hf");

  /** Every data kind GuideLLM 0.7.3 registers that a command line can name. */
  private static final Set<String> KINDS =
      Set.of(
          "text_file",
          "csv_file",
          "json_file",
          "parquet_file",
          "arrow_file",
          "hdf5_file",
          "db_file",
          "tar_file",
          "huggingface",
          "hf",
          "synthetic_text",
          "synthetic_image",
          "synthetic_video",
          "trace_synthetic",
          "mooncake");

  private static final String SPLIT = "load_kwargs.split";

  private GuidellmData() {}

  /**
   * Whether {@code fileName} ends in {@code .jsonl}, {@code .json}, {@code .csv} or {@code
   * .parquet}.
   */
  public static boolean isDataFile(String fileName) {
    int dot = fileName.lastIndexOf('.');
    return dot > 0 && FILE_KINDS.containsKey(fileName.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  /** {@code kind=json_file,path=...,load_kwargs.split=train} and the like for a data file. */
  static KindSpec fileSpec(Path file) {
    String name = file.getFileName().toString();
    String kind =
        FILE_KINDS.get(name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT));
    if (kind == null) {
      throw new IllegalArgumentException(file + ": not a .jsonl, .json, .csv or .parquet file");
    }
    return KindSpec.of(kind).with("path", file.toString()).with(SPLIT, "train");
  }

  /**
   * Why GuideLLM 0.7.3 cannot load the data spec {@code spec} ({@code kind=...,key=value}, {@code
   * prompt_tokens=...} for synthetic text, or a JSON object), or null when it can.
   */
  public static String problem(String spec) {
    Map<String, Object> fields;
    try {
      fields = fields(spec);
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    Object kind = kind(fields);
    if (kind == null) {
      return "not a GuideLLM 0.7.3 data spec: give kind=... (for example"
          + " kind=synthetic_text,prompt_tokens=256,output_tokens=128), prompt_tokens=N,output_tokens=N"
          + " for synthetic text, a data file, or a Hub dataset; GuideLLM 0.7.3 has no named"
          + " built-in datasets";
    }
    if (!KINDS.contains(String.valueOf(kind))) {
      return "GuideLLM 0.7.3 has no data kind '"
          + kind
          + "'; its kinds: "
          + String.join(", ", KINDS.stream().sorted().toList());
    }
    if (HUB_KINDS.contains(String.valueOf(kind)) && !fields.containsKey(SPLIT)) {
      return "a kind="
          + kind
          + " dataset needs "
          + SPLIT
          + "=NAME (GuideLLM cannot benchmark a dataset with several splits)";
    }
    return null;
  }

  /**
   * Whether {@code spec} asks GuideLLM for generated text ({@code prompt_tokens=...}, {@code
   * kind=synthetic_text} or {@code kind=trace_synthetic}), whose prompt column GuideLLM names
   * itself.
   */
  public static boolean isSynthetic(String spec) {
    Map<String, Object> fields;
    try {
      fields = fields(spec);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return Set.of("synthetic_text", "trace_synthetic").contains(String.valueOf(kind(fields)));
  }

  /** The spec's {@code kind}; synthetic text where it has none but {@code prompt_tokens}. */
  private static Object kind(Map<String, Object> fields) {
    return fields.containsKey("kind")
        ? fields.get("kind")
        : fields.containsKey("prompt_tokens") ? "synthetic_text" : null;
  }

  /**
   * The {@code --data} value for a spec that {@link #problem} accepts: synthetic {@code
   * prompt_tokens=...} gets {@code kind=synthetic_text}, a file kind without a split gets {@code
   * load_kwargs.split=train}; everything else is passed as written.
   */
  static String typedSpec(String spec) {
    String s = spec.strip();
    if (s.startsWith("{")) {
      ObjectNode root = (ObjectNode) readJson(s);
      if (!root.has("kind")) {
        ObjectNode typed = JSON.createObjectNode().put("kind", "synthetic_text");
        typed.setAll(root);
        return typed.toString();
      }
      if (SPLIT_FILE_KINDS.contains(root.path("kind").asText())
          && !root.path("load_kwargs").has("split")) {
        JsonNode kwargs = root.get("load_kwargs");
        ObjectNode k = kwargs instanceof ObjectNode o ? o : root.putObject("load_kwargs");
        k.put("split", "train");
        return root.toString();
      }
      return s;
    }
    Map<String, Object> fields = fields(s);
    String out = fields.containsKey("kind") ? s : "kind=synthetic_text," + s;
    if (SPLIT_FILE_KINDS.contains(String.valueOf(fields.get("kind")))
        && !fields.containsKey(SPLIT)) {
      out += "," + SPLIT + "=train";
    }
    return out;
  }

  /** The top-level keys of a spec (dotted keys as written) and the value of {@code kind}. */
  private static Map<String, Object> fields(String spec) {
    String s = spec.strip();
    Map<String, Object> out = new LinkedHashMap<>();
    if (s.startsWith("{")) {
      JsonNode root = readJson(s);
      if (!root.isObject()) {
        throw new IllegalArgumentException("a JSON data spec must be an object");
      }
      root.fields()
          .forEachRemaining(
              e -> {
                if (e.getValue().isObject()) {
                  e.getValue()
                      .fieldNames()
                      .forEachRemaining(n -> out.put(e.getKey() + "." + n, true));
                }
                out.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : true);
              });
      return out;
    }
    if (!s.contains("=")) {
      return out;
    }
    for (String pair : s.split(",")) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "'" + pair.strip() + "' is not key=value (GuideLLM splits data specs at commas)");
      }
      out.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
    }
    return out;
  }

  private static JsonNode readJson(String s) {
    try {
      return JSON.readTree(s);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not valid JSON (" + e.getOriginalMessage() + ")", e);
    }
  }
}
