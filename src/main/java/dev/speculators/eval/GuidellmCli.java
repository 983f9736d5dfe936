package dev.speculators.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
      a.addAll(
          List.of(
              "--data-column-mapper",
              KindSpec.of("generative_column_mapper")
                  .with("column_mappings.text_column", s.textColumn())
                  .toCli()));
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

  private static KindSpec profile07(BenchmarkSettings s) {
    KindSpec p = KindSpec.of(s.profile());
    if (s.rates().isEmpty()) {
      return p;
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
    return switch (profile) {
      case "throughput" -> "max_concurrency";
      case "sweep" -> "sweep_size";
      case "concurrent" -> "streams";
      default -> "rate";
    };
  }

  private static String data07(EvalDataset d) {
    if (d.kind() != EvalDataset.Kind.GUIDELLM) {
      String name = d.file().getFileName().toString().toLowerCase(Locale.ROOT);
      String kind = name.endsWith(".csv") ? "csv_file" : "json_file";
      return KindSpec.of(kind).with("path", d.file().toString()).toCli();
    }
    String spec = d.builtin();
    if (spec.startsWith("kind=") || spec.startsWith("{")) {
      return spec; // already a typed spec
    }
    if (spec.contains("=")) {
      return "kind=synthetic_text," + spec; // prompt_tokens=256,output_tokens=128
    }
    return spec;
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
