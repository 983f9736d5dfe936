package dev.speculators.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A GuideLLM result file, read from any of its layouts: v0.7 ({@code {metadata, config,
 * benchmarks}}), v0.6 ({@code {metadata, args, benchmarks}}), v0.4 ({@code {args, benchmarks}}) and
 * v0.3 ({@code {benchmarks}}). Only the JSON output is read; GuideLLM's CSV has a three-row header
 * that changes between versions.
 *
 * @param layout {@code "0.7"}, {@code "0.6"}, {@code "0.4"} or {@code "0.3"}
 * @param guidellmVersion as the file records it, or null
 */
public record GuidellmResult(
    String layout, String guidellmVersion, List<GuidellmBenchmark> benchmarks) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public GuidellmResult {
    benchmarks = List.copyOf(benchmarks);
  }

  /**
   * The benchmark that stands for the run: the one with the highest output token throughput (with
   * the {@code throughput} profile there is only one). Multi-benchmark runs (sweep, several rates)
   * report every benchmark besides.
   */
  public GuidellmBenchmark headline() {
    return benchmarks.stream()
        .max(
            Comparator.comparingDouble(
                b -> Double.isNaN(b.outputTokensPerSecond()) ? -1 : b.outputTokensPerSecond()))
        .orElseThrow();
  }

  public static GuidellmResult read(Path file) throws IOException {
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new MalformedInputException(
          file.toString(), 0, "not a JSON document (" + e.getMessage() + ")");
    }
    return parse(file.toString(), root);
  }

  public static GuidellmResult parse(String source, JsonNode root) {
    if (root == null || !root.isObject()) {
      throw new MalformedInputException(source, 0, "expected a JSON object with 'benchmarks'");
    }
    JsonNode list = root.get("benchmarks");
    if (list == null || !list.isArray()) {
      throw new MalformedInputException(
          source, 0, "no 'benchmarks' array: not a GuideLLM result file");
    }
    if (list.isEmpty()) {
      throw new MalformedInputException(source, 0, "GuideLLM recorded no benchmarks");
    }
    String layout;
    if (root.has("config")) {
      layout = "0.7";
    } else if (root.has("metadata") && root.has("args")) {
      layout = "0.6";
    } else if (root.has("args")) {
      layout = "0.4";
    } else {
      layout = "0.3";
    }
    String version = text(root.path("metadata").path("guidellm_version"));
    List<GuidellmBenchmark> benchmarks = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      benchmarks.add(benchmark(source, i, list.get(i)));
    }
    return new GuidellmResult(layout, version, benchmarks);
  }

  private static GuidellmBenchmark benchmark(String source, int index, JsonNode b) {
    JsonNode metrics = b.get("metrics");
    if (metrics == null || !metrics.isObject()) {
      throw new MalformedInputException(
          source, 0, "benchmarks[" + index + "] has no 'metrics' object");
    }
    JsonNode config = b.path("config").path("strategy");
    if (config.isMissingNode()) {
      config = b.path("args").path("strategy");
    }
    String strategy = text(config.path("type_"));
    return new GuidellmBenchmark(
        strategy == null ? "unknown" : strategy,
        config.path("rate").isNumber() ? config.path("rate").asDouble() : null,
        config.path("streams").isIntegralNumber() ? config.path("streams").asInt() : null,
        config.path("max_concurrency").isIntegralNumber()
            ? config.path("max_concurrency").asInt()
            : null,
        successful(metrics, "requests_per_second").path("mean").asDouble(Double.NaN),
        successful(metrics, "output_tokens_per_second").path("mean").asDouble(Double.NaN),
        stat(metrics, "time_to_first_token_ms"),
        stat(metrics, "inter_token_latency_ms"),
        stat(metrics, "time_per_output_token_ms"),
        stat(metrics, "request_latency"),
        requests(b));
  }

  private static JsonNode successful(JsonNode metrics, String name) {
    return metrics.path(name).path("successful");
  }

  private static GuidellmBenchmark.Stat stat(JsonNode metrics, String name) {
    JsonNode s = successful(metrics, name);
    if (s.isMissingNode() || s.isNull()) {
      return GuidellmBenchmark.Stat.MISSING;
    }
    return new GuidellmBenchmark.Stat(
        s.path("median").asDouble(Double.NaN),
        s.path("percentiles").path("p99").asDouble(Double.NaN));
  }

  private static GuidellmBenchmark.Requests requests(JsonNode b) {
    for (JsonNode n :
        List.of(
            b.path("metrics").path("request_totals"),
            b.path("scheduler_metrics").path("requests_made"),
            b.path("run_stats").path("requests_made"))) {
      if (n.isObject() && n.has("successful")) {
        long successful = n.path("successful").asLong(0);
        long incomplete = n.path("incomplete").asLong(0);
        long errored = n.path("errored").asLong(0);
        return new GuidellmBenchmark.Requests(
            successful,
            incomplete,
            errored,
            n.path("total").asLong(successful + incomplete + errored));
      }
    }
    return GuidellmBenchmark.Requests.UNKNOWN;
  }

  private static String text(JsonNode n) {
    return n == null || n.isMissingNode() || n.isNull() ? null : n.asText();
  }
}
