package dev.speculators.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.engine.eval.ReferenceEvalOutputs;
import dev.speculators.engine.eval.ReferenceEvalResults;
import dev.speculators.engine.eval.ReferenceEvalRunner;
import dev.speculators.engine.eval.ReferenceEvalSettings;
import dev.speculators.eval.BenchmarkSettings;
import dev.speculators.eval.EvalException;
import dev.speculators.eval.EvalOutputs;
import dev.speculators.eval.EvalResults;
import dev.speculators.eval.EvalRunner;
import dev.speculators.eval.EvalSettings;
import dev.speculators.eval.GuidellmCli;
import dev.speculators.eval.GuidellmData;
import dev.speculators.eval.VllmClient;
import dev.speculators.io.TerminationLog;
import dev.speculators.io.hub.HfHub;
import dev.speculators.io.hub.RepoType;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code eval}: benchmarks a vLLM server that runs a speculator with GuideLLM, and measures
 * acceptance from the server's Prometheus counters. Runs in the eval container beside the vLLM
 * sidecar, or anywhere that reaches a server.
 */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    subcommands = {AnalyzeLogCommand.class},
    description = {
      "Benchmark a vLLM server with a speculator using GuideLLM, and report acceptance (mean acceptance length, "
          + "per-position and conditional acceptance, from the server's /metrics) and throughput and latency, "
          + "per dataset and pooled.",
      "Writes results.json, acceptance.csv, summary.json and the raw GuideLLM outputs into --output.",
      "Required: --endpoint, --data, --output. Exit codes: 0 ok, 1 failure, 2 usage.",
      "With --engine reference (tiny models, CPU): no server; the target (--target-model) and the speculator"
          + " (--speculator) decode every prompt greedily in process with K = --num-speculative-tokens, counted like"
          + " vLLM's spec-decode counters; sampling flags do not apply."
    })
public final class EvalCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--engine",
      defaultValue = "vllm",
      paramLabel = "vllm|reference",
      description =
          "vllm (default): benchmark a server. reference: simulate with the CPU reference engine.")
  String engine;

  @Option(
      names = "--endpoint",
      paramLabel = "URL",
      description = "vLLM server with the speculator, e.g. http://localhost:8000")
  String endpoint;

  @Option(
      names = "--target-model",
      paramLabel = "DIR_OR_ID",
      description = "engine reference: the target model, a directory or a Hub id (downloaded)")
  String targetModel;

  @Option(
      names = "--speculator",
      paramLabel = "DIR_OR_ID",
      description =
          "engine reference: the speculator (config.json + model.safetensors), a directory or a Hub id (downloaded)")
  String speculator;

  @Option(
      names = "--num-speculative-tokens",
      defaultValue = "3",
      paramLabel = "K",
      description = "engine reference: tokens drafted per step (default: ${DEFAULT-VALUE})")
  int numSpeculativeTokens;

  @Option(
      names = "--max-output-tokens",
      defaultValue = "128",
      paramLabel = "N",
      description =
          "engine reference: tokens generated per prompt at most (default: ${DEFAULT-VALUE})")
  int maxOutputTokens;

  @Option(
      names = "--untrained-baseline",
      description = "engine reference: also run an untrained draft of the same shape")
  boolean untrainedBaseline;

  @Option(
      names = "--check-lossless",
      description = "engine reference: also decode without speculation and require the same output")
  boolean checkLossless;

  @Option(
      names = "--data",
      paramLabel = "SPEC",
      description =
          "Dataset, repeatable: org/dataset:file.jsonl, org/dataset (every .jsonl), a local file or folder "
              + "(every *.jsonl), or a GuideLLM built-in or synthetic spec such as prompt_tokens=256,output_tokens=128.")
  List<String> data = new ArrayList<>();

  @Option(
      names = {"--output", "-o"},
      paramLabel = "DIR",
      description = "Folder for the results.")
  Path output;

  @Option(
      names = "--guidellm",
      paramLabel = "PATH",
      defaultValue = "guidellm",
      description = "GuideLLM executable (default: ${DEFAULT-VALUE}).")
  String guidellm;

  @Option(
      names = "--guidellm-cli",
      paramLabel = "VERSION",
      defaultValue = "0.7",
      description =
          "GuideLLM command line: 0.7 (guidellm run, pinned) or 0.6 (guidellm benchmark run).")
  String guidellmCli;

  @Option(
      names = "--profile",
      defaultValue = "throughput",
      description =
          "throughput, sweep, synchronous, concurrent, constant or poisson (default: ${DEFAULT-VALUE}).")
  String profile;

  @Option(
      names = "--rate",
      split = ",",
      paramLabel = "N",
      description = "The profile's number(s): max concurrency, sweep size, streams or requests/s.")
  List<Double> rates = new ArrayList<>();

  @Option(
      names = "--max-requests",
      paramLabel = "N",
      description = "Stop each benchmark after N requests.")
  Integer maxRequests;

  @Option(
      names = "--max-seconds",
      paramLabel = "N",
      description = "Stop each benchmark after N seconds.")
  Integer maxSeconds;

  @Option(
      names = "--temperature",
      defaultValue = "0.6",
      description = "Sampling temperature in every request (default: ${DEFAULT-VALUE}).")
  Double temperature;

  @Option(
      names = "--top-p",
      defaultValue = "0.95",
      description = "top_p in every request (default: ${DEFAULT-VALUE}).")
  Double topP;

  @Option(
      names = "--top-k",
      defaultValue = "20",
      description = "top_k in every request (default: ${DEFAULT-VALUE}).")
  Integer topK;

  @Option(
      names = "--model",
      paramLabel = "NAME",
      description = "Served model name (default: what the server lists).")
  String model;

  @Option(
      names = "--processor",
      paramLabel = "ID_OR_PATH",
      description = "Tokenizer GuideLLM counts tokens with (default: the model).")
  String processor;

  @Option(
      names = "--text-column",
      paramLabel = "COLUMN",
      description = "Prompt column of the data files, when GuideLLM cannot guess it.")
  String textColumn;

  @Option(
      names = "--startup-timeout",
      paramLabel = "SECONDS",
      defaultValue = "300",
      description = "Wait this long for /health (default: ${DEFAULT-VALUE}).")
  long startupTimeout;

  @Option(
      names = "--benchmark-timeout",
      paramLabel = "SECONDS",
      defaultValue = "7200",
      description = "Stop a GuideLLM run after this long (default: ${DEFAULT-VALUE}).")
  long benchmarkTimeout;

  @Option(
      names = "--request-timeout",
      paramLabel = "SECONDS",
      defaultValue = "30",
      description =
          "Timeout of each call to /health, /metrics, /version (default: ${DEFAULT-VALUE}).")
  long requestTimeout;

  @Option(
      names = "--baseline-endpoint",
      paramLabel = "URL",
      description =
          "vLLM server with the same target and no speculator; every dataset also runs there, for speedup.")
  String baselineEndpoint;

  @Option(
      names = "--baseline-results",
      paramLabel = "PATH",
      description =
          "GuideLLM result file, or folder of guidellm_[baseline_]<dataset>.json files, from a run without speculation.")
  Path baselineResults;

  @Option(
      names = "--termination-log",
      paramLabel = "PATH",
      description =
          "Where the summary goes (default: $SPECULATORS_TERMINATION_LOG or /dev/termination-log, when writable).")
  Path terminationLog;

  private final HfHub hub;
  private final Consumer<String> log;
  private final PrintStream out;
  private final PrintStream err;

  /** The command as the jar runs it: Hub settings from the environment, output to stdout/stderr. */
  public EvalCommand() {
    this(null, line -> System.err.println("[eval] " + line), System.out, System.err);
  }

  /**
   * @param hub the Hub client for dataset downloads (null: from the environment)
   * @param log where progress lines go
   * @param out where the results table goes
   * @param err where the failure message goes
   */
  public EvalCommand(HfHub hub, Consumer<String> log, PrintStream out, PrintStream err) {
    this.hub = hub;
    this.log = log;
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() {
    if ("reference".equals(engine)) {
      return callReference();
    }
    if (!"vllm".equals(engine)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--engine must be vllm or reference, got '" + engine + "'");
    }
    EvalSettings settings = settings();
    try {
      EvalResults results =
          new EvalRunner(settings, hub != null ? hub : HfHub.fromEnvironment(), log).run();
      out.print(EvalOutputs.table(results));
      out.flush();
      return 0;
    } catch (EvalException e) {
      err.println("eval: " + e.getMessage());
      return 1;
    }
  }

  private Integer callReference() {
    CommandLine cl = spec.commandLine();
    if (targetModel == null || speculator == null || data.isEmpty() || output == null) {
      throw new CommandLine.ParameterException(
          cl, "--engine reference needs --target-model, --speculator, --data and --output");
    }
    if (endpoint != null || baselineEndpoint != null) {
      throw new CommandLine.ParameterException(
          cl, "--endpoint and --baseline-endpoint do not apply to --engine reference");
    }
    HfHub client = hub != null ? hub : HfHub.fromEnvironment();
    Path termination = terminationLog != null ? terminationLog : TerminationLog.defaultPath();
    ReferenceEvalSettings settings;
    try {
      settings =
          new ReferenceEvalSettings(
              localOrHub("--target-model", targetModel, client),
              localOrHub("--speculator", speculator, client),
              data,
              output,
              numSpeculativeTokens,
              maxRequests,
              maxOutputTokens,
              textColumn,
              untrainedBaseline,
              0L,
              checkLossless,
              termination);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, e.getMessage());
    } catch (IOException e) {
      err.println("eval: " + e.getMessage());
      ObjectNode failure =
          new ObjectMapper()
              .createObjectNode()
              .put("kind", "eval")
              .put("engine", "reference")
              .put("error", String.valueOf(e.getMessage()));
      TerminationLog.write(termination, failure);
      return 1;
    }
    try {
      ReferenceEvalResults results = new ReferenceEvalRunner(settings, client, log, null).run();
      out.print(ReferenceEvalOutputs.table(results));
      out.flush();
      return 0;
    } catch (EvalException e) {
      err.println("eval: " + e.getMessage());
      return 1;
    }
  }

  /**
   * A local directory as is; anything else names a Hub model repository, fetched (configs, weights,
   * templates).
   */
  private static Path localOrHub(String flag, String value, HfHub hub) throws IOException {
    Path local = Path.of(value);
    if (Files.isDirectory(local)) {
      return local;
    }
    if (!value.matches("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*(@[^/]+)?")) {
      throw new IllegalArgumentException(
          flag + " " + value + ": no such directory, and not a Hugging Face id");
    }
    String[] idAndRevision = value.split("@", 2);
    try {
      return hub.downloadAll(
          RepoType.MODEL,
          idAndRevision[0],
          idAndRevision.length > 1 ? idAndRevision[1] : null,
          name ->
              name.endsWith(".json") || name.endsWith(".safetensors") || name.endsWith(".jinja"));
    } catch (IOException e) {
      throw new IOException(flag + " " + value + ": " + e.getMessage(), e);
    }
  }

  private EvalSettings settings() {
    CommandLine cl = spec.commandLine();
    if (endpoint == null) {
      throw new CommandLine.ParameterException(cl, "Missing required option: --endpoint=URL");
    }
    if (data.isEmpty()) {
      throw new CommandLine.ParameterException(cl, "Missing required option: --data=SPEC");
    }
    if (output == null) {
      throw new CommandLine.ParameterException(cl, "Missing required option: --output=DIR");
    }
    for (long t : new long[] {startupTimeout, benchmarkTimeout, requestTimeout}) {
      if (t <= 0) {
        throw new CommandLine.ParameterException(
            cl, "timeouts must be positive numbers of seconds");
      }
    }
    if (textColumn != null) {
      for (String d : data) {
        if (GuidellmData.isSynthetic(d)) {
          throw new CommandLine.ParameterException(
              cl,
              "--text-column applies to data files: --data '"
                  + d
                  + "' is synthetic text, whose prompt column GuideLLM generates");
        }
      }
    }
    try {
      VllmClient.serverRoot(endpoint);
      if (baselineEndpoint != null) {
        VllmClient.serverRoot(baselineEndpoint);
      }
      BenchmarkSettings bench =
          new BenchmarkSettings(
              profile,
              rates,
              maxRequests,
              maxSeconds,
              temperature,
              topP,
              topK,
              model,
              processor,
              textColumn);
      return new EvalSettings(
          endpoint,
          data,
          output,
          guidellm,
          GuidellmCli.parse(guidellmCli),
          bench,
          Duration.ofSeconds(startupTimeout),
          Duration.ofSeconds(benchmarkTimeout),
          Duration.ofSeconds(requestTimeout),
          baselineEndpoint,
          baselineResults,
          terminationLog != null ? terminationLog : TerminationLog.defaultPath());
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, e.getMessage());
    }
  }
}
