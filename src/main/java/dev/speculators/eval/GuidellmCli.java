package dev.speculators.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The command line of a GuideLLM release. The container image pins GuideLLM 0.7.3 ({@code guidellm
 * run} with typed {@code kind=...} options); {@link #V0_6} speaks the older {@code guidellm
 * benchmark run} flags for images built on GuideLLM 0.6.
 */
public enum GuidellmCli {
  V0_7("0.7"),
  V0_6("0.6");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String label;

  GuidellmCli(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  public static GuidellmCli parse(String value) {
    for (GuidellmCli c : values()) {
      if (c.label.equals(value) || value.startsWith(c.label + ".")) {
        return c;
      }
    }
    throw new IllegalArgumentException("--guidellm-cli " + value + ": expected 0.7 or 0.6");
  }

  /** The arguments (after the executable) that benchmark {@code dataset} against {@code target}. */
  public List<String> arguments(
      String target, EvalDataset dataset, BenchmarkSettings s, Path output) {
    return this == V0_7 ? v07(target, dataset, s, output) : v06(target, dataset, s, output);
  }

  /**
   * GuideLLM 0.7.3 ({@code src/guidellm/benchmark/schemas/entrypoints.py}, {@code
   * benchmark/profiles/}, {@code data/deserializers/}): every option is a typed spec with a {@code
   * kind}. {@code BenchmarkSettings} has already refused the profile/rate combinations GuideLLM
   * cannot run.
   */
  private static List<String> v07(
      String target, EvalDataset dataset, BenchmarkSettings s, Path output) {
    List<String> a = new ArrayList<>(List.of("run"));
    KindSpec backend =
        KindSpec.of("openai_http")
            .with("target", target)
            .with("model", s.model())
            .with("extras.body.temperature", s.temperature())
            .with("extras.body.top_p", s.topP())
            .with("extras.body.top_k", s.topK());
    a.addAll(List.of("--backend", backend.toCli()));
    a.addAll(List.of("--profile", profile07(s).toCli()));
    if (s.rates().size() > 1) {
      // run --help: "--override ... only supports profile.streams or profile.rate"; the
      // sub-benchmarks are merged back into one profile with the list of values
      a.addAll(List.of("--override", "profile." + rateField(s.profile()), joinRates(s)));
    }
    if (s.maxRequests() != null) {
      a.addAll(
          List.of(
              "--constraint", KindSpec.of("max_requests").with("count", s.maxRequests()).toCli()));
    }
    if (s.maxSeconds() != null) {
      a.addAll(
          List.of(
              "--constraint", KindSpec.of("max_duration").with("seconds", s.maxSeconds()).toCli()));
    }
    a.addAll(List.of("--data", data07(dataset)));
    if (s.textColumn() != null) {
      a.addAll(List.of("--data-column-mapper", columnMapper(s.textColumn()).toCli()));
    }
    if (s.processor() != null) {
      a.addAll(
          List.of(
              "--tokenizer", KindSpec.of("huggingface_auto").with("model", s.processor()).toCli()));
    }
    a.addAll(List.of("--output", KindSpec.of("json").with("path", output.toString()).toCli()));
    a.add("--disable-console-interactive");
    return a;
  }

  /**
   * Column names GuideLLM 0.7.3 looks for by default ({@code GenerativeColumnMapper.defaults} in
   * {@code data/preprocessors/mappers.py}) for the columns of a text benchmark other than the
   * prompt. Its mapper uses the given mappings instead of the defaults, not on top of them, so
   * naming only the prompt column would silently drop a file's system prompts and token counts.
   */
  private static final Map<String, List<String>> OTHER_TEXT_COLUMNS = new LinkedHashMap<>();

  static {
    OTHER_TEXT_COLUMNS.put("prefix_column", List.of("system_prompt", "system", "prefix"));
    OTHER_TEXT_COLUMNS.put(
        "prompt_tokens_count_column", List.of("prompt_tokens_count", "input_tokens_count"));
    OTHER_TEXT_COLUMNS.put(
        "output_tokens_count_column", List.of("output_tokens_count", "completion_tokens_count"));
  }

  /** The prompt column as given, and GuideLLM's default names for the other text columns. */
  private static KindSpec columnMapper(String textColumn) {
    KindSpec mapper =
        KindSpec.of("generative_column_mapper")
            .with("column_mappings.text_column", List.of(textColumn));
    OTHER_TEXT_COLUMNS.forEach((column, names) -> mapper.with("column_mappings." + column, names));
    return mapper;
  }

  /**
   * The profile with its first number. Throughput's {@code max_concurrency} is a required field
   * that may be None (unlimited), so without a rate it is given as an explicit null.
   */
  private static KindSpec profile07(BenchmarkSettings s) {
    KindSpec p = KindSpec.of(s.profile());
    if (s.rates().isEmpty()) {
      return s.profile().equals("throughput") ? p.with("max_concurrency", KindSpec.NULL) : p;
    }
    double first = s.rates().get(0);
    return switch (s.profile()) {
      case "throughput" -> p.with("max_concurrency", (long) first);
      case "sweep" -> p.with("sweep_size", (long) first);
      case "concurrent" -> p.with("streams", (long) first);
      default -> p.with("rate", first);
    };
  }

  private static String rateField(String profile) {
    return profile.equals("concurrent") ? "streams" : "rate";
  }

  private static String data07(EvalDataset d) {
    if (d.kind() != EvalDataset.Kind.GUIDELLM) {
      return GuidellmData.fileSpec(d.file()).toCli();
    }
    return GuidellmData.typedSpec(d.builtin());
  }

  private static List<String> v06(
      String target, EvalDataset dataset, BenchmarkSettings s, Path output) {
    List<String> a = new ArrayList<>(List.of("benchmark", "run", "--target", target));
    if (s.model() != null) {
      a.addAll(List.of("--model", s.model()));
    }
    a.addAll(List.of("--profile", s.profile()));
    for (double r : s.rates()) {
      a.addAll(List.of("--rate", KindSpec.format(r)));
    }
    if (s.maxRequests() != null) {
      a.addAll(List.of("--max-requests", s.maxRequests().toString()));
    }
    if (s.maxSeconds() != null) {
      a.addAll(List.of("--max-seconds", s.maxSeconds().toString()));
    }
    a.addAll(
        List.of(
            "--data",
            dataset.kind() == EvalDataset.Kind.GUIDELLM
                ? dataset.builtin()
                : dataset.file().toString()));
    if (s.textColumn() != null) {
      ObjectNode mapper = JSON.createObjectNode().put("text_column", s.textColumn());
      a.addAll(List.of("--data-column-mapper", mapper.toString()));
    }
    if (s.processor() != null) {
      a.addAll(List.of("--processor", s.processor()));
    }
    ObjectNode body = JSON.createObjectNode();
    if (s.temperature() != null) {
      body.put("temperature", s.temperature());
    }
    if (s.topP() != null) {
      body.put("top_p", s.topP());
    }
    if (s.topK() != null) {
      body.put("top_k", s.topK());
    }
    if (!body.isEmpty()) {
      ObjectNode args = JSON.createObjectNode();
      args.putObject("extras").set("body", body);
      a.addAll(List.of("--backend-args", args.toString()));
    }
    a.addAll(List.of("--output-path", output.toString(), "--disable-console-interactive"));
    return a;
  }

  private static String joinRates(BenchmarkSettings s) {
    boolean whole = !s.profile().equals("constant") && !s.profile().equals("poisson");
    return s.rates().stream()
        .map(r -> whole ? Long.toString(r.longValue()) : KindSpec.format(r))
        .collect(Collectors.joining(","));
  }
}
