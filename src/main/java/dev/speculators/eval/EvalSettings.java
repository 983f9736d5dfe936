package dev.speculators.eval;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything an evaluation run needs; the operator passes each of these as a flag.
 *
 * @param endpoint the vLLM server with the speculator ({@code http://host:port}, optionally ending
 *     in {@code /v1})
 * @param data the {@code --data} values (see {@link DatasetResolver})
 * @param guidellm the GuideLLM executable
 * @param startupTimeout how long to wait for {@code /health}
 * @param benchmarkTimeout how long one GuideLLM run may take before it is stopped
 * @param requestTimeout the timeout of each call to vLLM's own endpoints
 * @param baselineEndpoint a vLLM server with the same target and no speculator, or null
 * @param baselineResults a GuideLLM result file, or a folder with {@code
 *     guidellm_baseline_<name>.json} or {@code guidellm_<name>.json} files, from an earlier run
 *     without speculation; or null
 * @param terminationLog where the summary goes for Kubernetes
 */
public record EvalSettings(
    String endpoint,
    List<String> data,
    Path output,
    String guidellm,
    GuidellmCli guidellmCli,
    BenchmarkSettings benchmark,
    Duration startupTimeout,
    Duration benchmarkTimeout,
    Duration requestTimeout,
    String baselineEndpoint,
    Path baselineResults,
    Path terminationLog) {

  public EvalSettings {
    data = List.copyOf(data);
    if (data.isEmpty()) {
      throw new IllegalArgumentException("--data: at least one dataset is needed");
    }
    if (guidellmCli == GuidellmCli.V0_6
        && benchmark.profile().equals("throughput")
        && benchmark.rates().isEmpty()) {
      // GuideLLM 0.6.0 benchmark/profiles.py: "ThroughputProfile requires a rate parameter"
      throw new IllegalArgumentException(
          "--guidellm-cli 0.6: GuideLLM 0.6 needs --rate (max concurrency) for --profile throughput");
    }
    if (baselineEndpoint != null && baselineResults != null) {
      throw new IllegalArgumentException(
          "--baseline-endpoint and --baseline-results exclude each other");
    }
  }
}
