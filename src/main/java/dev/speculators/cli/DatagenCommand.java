package dev.speculators.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.datagen.DatagenOptions;
import dev.speculators.datagen.DatagenWorker;
import dev.speculators.datagen.HiddenStateSourceFactory;
import dev.speculators.datagen.source.DataSpec;
import dev.speculators.datagen.source.HubDatasets;
import dev.speculators.io.TerminationLog;
import dev.speculators.io.hub.HfHub;
import dev.speculators.io.hub.RepoType;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code datagen}: one shard of hidden-state dataset generation (runs beside a vLLM server). */
@Command(
    name = "datagen",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Generate one shard of an EAGLE3 hidden-state dataset: read and normalise conversations, build"
          + " token rows and loss masks from chat-template render boundaries, ask vLLM"
          + " (extract_hidden_states) for the target model's hidden states, and write speculators-format"
          + " data_<i>.pt samples. A restarted shard resumes; the shard that finds all shards done merges"
          + " token_freq.pt and the dataset metadata.",
      "Arguments can also come from a file: datagen @args.txt."
    })
public final class DatagenCommand implements Callable<Integer> {

  @Option(
      names = "--endpoint",
      paramLabel = "URL",
      description = "vLLM server, e.g. http://localhost:8000")
  String endpoint;

  @Option(
      names = "--model",
      required = true,
      paramLabel = "DIR_OR_ID",
      description =
          "Target model: a local Hugging Face directory or a Hub id (config and tokenizer files are fetched)")
  String model;

  @Option(
      names = "--model-revision",
      defaultValue = "main",
      paramLabel = "REV",
      description = "Hub revision of --model (default: ${DEFAULT-VALUE})")
  String modelRevision;

  @Option(
      names = "--data",
      required = true,
      paramLabel = "SPEC",
      description = {
        "Dataset (repeatable): sharegpt | ultrachat | org/name[:file] | local file or directory,",
        "optionally followed by ,maxSamples=N ,turnDropout=true|false ,revision=REV"
      })
  List<String> data;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "DIR",
      description = "Dataset directory (data/, token_freq.pt, shards/)")
  Path output;

  @Option(
      names = "--seq-length",
      defaultValue = "2048",
      paramLabel = "N",
      description = "Sequence length; rows are cut to N-1 tokens (default: ${DEFAULT-VALUE})")
  int seqLength;

  @Option(
      names = "--max-samples",
      paramLabel = "N",
      description = "Records (conversations) to use over all sources, after shuffling")
  Long maxSamples;

  @Option(
      names = "--layer-ids",
      split = ",",
      arity = "1..*",
      paramLabel = "ID",
      description =
          "vLLM layer ids captured by the server, aux layers then the final layer N (default: 2,N/2,N-3,N)")
  List<Integer> layerIds;

  @Option(
      names = "--shard",
      defaultValue = "0/1",
      paramLabel = "i/n",
      description = "This shard and the shard count (default: ${DEFAULT-VALUE})")
  String shard;

  @Option(
      names = "--concurrency",
      defaultValue = "32",
      paramLabel = "N",
      description = "Rows in flight (default: ${DEFAULT-VALUE})")
  int concurrency;

  @Option(
      names = "--seed",
      defaultValue = "0",
      paramLabel = "N",
      description = "Seed of the shuffles and turn dropout (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--turn-dropout",
      description =
          "Cut conversations at a random assistant turn (seeded), for every source without its own setting")
  boolean turnDropout;

  @Option(
      names = "--engine",
      defaultValue = "vllm",
      paramLabel = "vllm|reference",
      description = "Hidden-state engine (default: ${DEFAULT-VALUE})")
  String engine;

  @Option(
      names = "--renderer",
      defaultValue = "auto",
      paramLabel = "auto|vllm|reference",
      description =
          "Token rows from vLLM /tokenize or the in-process template + tokenizer (default: ${DEFAULT-VALUE}: follows --engine)")
  String renderer;

  @Option(
      names = "--chat-template-kwargs",
      paramLabel = "JSON",
      description = "Extra chat template variables, e.g. '{\"enable_thinking\": false}'")
  String chatTemplateKwargs;

  @Option(
      names = "--hidden-states-dir",
      paramLabel = "DIR",
      description =
          "Where this container sees the volume vLLM writes hidden states to (default: the path vLLM reports)")
  Path hiddenStatesDir;

  @Option(
      names = "--request-timeout",
      defaultValue = "120",
      paramLabel = "S",
      description = "Timeout of one HTTP request (default: ${DEFAULT-VALUE})")
  double requestTimeout;

  @Option(
      names = "--startup-timeout",
      defaultValue = "900",
      paramLabel = "S",
      description = "How long to wait for vLLM to answer (default: ${DEFAULT-VALUE})")
  double startupTimeout;

  @Option(
      names = "--lock-timeout",
      defaultValue = "120",
      paramLabel = "S",
      description =
          "How long to wait for vLLM to finish writing one hidden-states file (default: ${DEFAULT-VALUE})")
  double lockTimeout;

  @Option(
      names = "--max-retries",
      defaultValue = "3",
      paramLabel = "N",
      description = "Retries of a row after a transient error (default: ${DEFAULT-VALUE})")
  int maxRetries;

  @Option(
      names = "--retry-backoff",
      defaultValue = "1",
      paramLabel = "S",
      description = "First retry delay, doubled per retry (default: ${DEFAULT-VALUE})")
  double retryBackoff;

  @Option(
      names = "--max-consecutive-failures",
      paramLabel = "N",
      description = "Stop (exit 1) after N failed rows in a row (default: --concurrency)")
  Integer maxConsecutiveFailures;

  @Option(
      names = "--progress-interval",
      defaultValue = "30",
      paramLabel = "S",
      description = "Seconds between progress lines (default: ${DEFAULT-VALUE})")
  double progressInterval;

  @Option(
      names = "--gpu-name",
      paramLabel = "NAME",
      description = "GPU model recorded in data_config.json (default: $SPECULATORS_GPU_NAME)")
  String gpuName;

  @Option(
      names = "--tensor-parallel-size",
      paramLabel = "N",
      description = "vLLM's tensor parallel size, recorded in data_config.json")
  Integer tensorParallelSize;

  @Option(
      names = "--volume-name",
      paramLabel = "DIR=NAME",
      description =
          "Name a mounted volume for the content hash: files under DIR are identified as NAME/<path> wherever"
              + " the volume is mounted (repeatable; the operator passes its mounts as pvc:<claim>)")
  Map<String, String> volumeNames;

  @Option(
      names = "--preflight",
      description =
          "Only plan the rows, measure their lengths with the model's own chat template and check that the"
              + " dataset fits its volume, then exit (0, or 3 when it does not fit) without generating")
  boolean preflight;

  @Option(
      names = "--termination-log",
      paramLabel = "PATH",
      description =
          "Where to write the JSON summary (default: $SPECULATORS_TERMINATION_LOG or /dev/termination-log)")
  Path terminationLog;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private final Consumer<String> log;
  private final DatagenWorker.Dependencies dependencies;

  /**
   * The command as the jar runs it: Hub client from the environment, engines from the class path.
   */
  public DatagenCommand() {
    this(DatagenCommand::printLog, null);
  }

  /** For tests: a log sink and fixed collaborators (null: the defaults). */
  public DatagenCommand(Consumer<String> log, DatagenWorker.Dependencies dependencies) {
    this.log = log;
    this.dependencies = dependencies;
  }

  @Override
  public Integer call() {
    DatagenOptions options;
    try {
      options = options();
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("datagen: " + e.getMessage());
      return 2;
    }
    Path summaryPath = terminationLog != null ? terminationLog : TerminationLog.defaultPath();
    try {
      DatagenWorker.Result result = new DatagenWorker(options, dependencies(), log).run();
      TerminationLog.write(summaryPath, result.summary());
      log.accept("summary: " + result.summary());
      return result.exitCode();
    } catch (IllegalArgumentException e) {
      log.accept("datagen: " + e.getMessage());
      writeFailure(summaryPath, e.getMessage());
      return 2;
    } catch (IOException | RuntimeException e) {
      log.accept("datagen failed: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
      writeFailure(summaryPath, e.getMessage() == null ? e.toString() : e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      writeFailure(summaryPath, "interrupted");
      return 1;
    }
  }

  DatagenOptions options() {
    int[] s = parseShard(shard);
    List<DataSpec> specs = new ArrayList<>();
    for (String d : data) {
      specs.add(DataSpec.parse(d));
    }
    Map<String, Object> kwargs = Map.of();
    if (chatTemplateKwargs != null && !chatTemplateKwargs.isBlank()) {
      try {
        kwargs =
            new ObjectMapper()
                .readValue(chatTemplateKwargs, new TypeReference<Map<String, Object>>() {});
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalArgumentException(
            "--chat-template-kwargs is not a JSON object: " + e.getOriginalMessage());
      }
    }
    List<String> command = new ArrayList<>();
    command.add("speculators datagen");
    command.addAll(spec.commandLine().getParseResult().expandedArgs());
    String gpu = gpuName != null ? gpuName : System.getenv("SPECULATORS_GPU_NAME");
    return new DatagenOptions(
        endpoint,
        model,
        modelRevision,
        specs,
        output,
        seqLength,
        maxSamples,
        layerIds == null ? null : layerIds.stream().mapToInt(Integer::intValue).toArray(),
        s[0],
        s[1],
        concurrency,
        seed,
        turnDropout,
        choice("--engine", engine, DatagenOptions.Engine.class),
        choice("--renderer", renderer, DatagenOptions.Renderer.class),
        kwargs,
        hiddenStatesDir,
        seconds("--request-timeout", requestTimeout),
        seconds("--startup-timeout", startupTimeout),
        seconds("--lock-timeout", lockTimeout),
        maxRetries,
        seconds("--retry-backoff", retryBackoff),
        maxConsecutiveFailures == null ? concurrency : maxConsecutiveFailures,
        seconds("--progress-interval", progressInterval),
        gpu,
        tensorParallelSize,
        command,
        volumeNames,
        preflight);
  }

  /** An enum value from its lower-case name, or an error naming the flag and the choices. */
  static <E extends Enum<E>> E choice(String flag, String value, Class<E> type) {
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(value.trim())) {
        return e;
      }
    }
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      names.add(e.name().toLowerCase(java.util.Locale.ROOT));
    }
    throw new IllegalArgumentException(
        flag + " " + value + ": expected one of " + String.join(", ", names));
  }

  static int[] parseShard(String value) {
    String[] parts = value.split("/");
    try {
      if (parts.length == 2) {
        int i = Integer.parseInt(parts[0].trim());
        int n = Integer.parseInt(parts[1].trim());
        if (n >= 1 && i >= 0 && i < n) {
          return new int[] {i, n};
        }
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "--shard " + value + ": expected i/n with 0 <= i < n, e.g. 0/4");
  }

  private static Duration seconds(String flag, double s) {
    if (!(s >= 0) || Double.isInfinite(s)) {
      throw new IllegalArgumentException(
          flag + " must be a non-negative number of seconds, got " + s);
    }
    return Duration.ofNanos((long) (s * 1e9));
  }

  private DatagenWorker.Dependencies dependencies() {
    if (dependencies != null) {
      return dependencies;
    }
    HfHub hub = HfHub.fromEnvironment();
    HubDatasets datasets =
        new HubDatasets() {
          @Override
          public List<String> listFiles(String repo, String revision) throws IOException {
            return hub.listFiles(RepoType.DATASET, repo, revision);
          }

          @Override
          public Path download(String repo, String revision, String file) throws IOException {
            return hub.download(RepoType.DATASET, repo, revision, file);
          }
        };
    HiddenStateSourceFactory reference = null;
    for (HiddenStateSourceFactory f : ServiceLoader.load(HiddenStateSourceFactory.class)) {
      if (f.engine().equals("reference")) {
        reference = f;
      }
    }
    return new DatagenWorker.Dependencies(hub, datasets, reference);
  }

  private static void writeFailure(Path path, String message) {
    ObjectNode s = new ObjectMapper().createObjectNode();
    s.put("kind", "datagen");
    s.put(
        "error",
        message == null
            ? "unknown error"
            : message.length() > 1000 ? message.substring(0, 1000) + "..." : message);
    TerminationLog.write(path, s);
  }

  private static void printLog(String line) {
    PrintStream err = System.err;
    err.println(LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + " " + line);
  }
}
