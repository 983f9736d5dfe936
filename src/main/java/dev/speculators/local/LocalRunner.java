package dev.speculators.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.api.DatasetReuse;
import dev.speculators.api.DatasetSource;
import dev.speculators.api.DraftSpec;
import dev.speculators.api.EvalSettings;
import dev.speculators.api.HiddenStateDatasetSpec;
import dev.speculators.api.TrainingParameters;
import dev.speculators.api.common.ModelSource;
import dev.speculators.datagen.DatagenOptions;
import dev.speculators.datagen.DatagenWorker;
import dev.speculators.datagen.DatasetIdentity;
import dev.speculators.datagen.source.DataSpec;
import dev.speculators.datagen.source.HubDatasets;
import dev.speculators.engine.ReferenceEngineFactory;
import dev.speculators.engine.eval.ReferenceEvalResults;
import dev.speculators.engine.eval.ReferenceEvalRunner;
import dev.speculators.engine.eval.ReferenceEvalSettings;
import dev.speculators.eval.EvalException;
import dev.speculators.io.ProgressLine;
import dev.speculators.io.StorageCheck;
import dev.speculators.io.dataset.DatasetLayout;
import dev.speculators.io.dataset.SampleLengths;
import dev.speculators.io.hub.HfHub;
import dev.speculators.io.hub.RepoType;
import dev.speculators.train.Trainer;
import dev.speculators.train.TrainingOptions;
import dev.speculators.train.model.Precision;
import dev.speculators.train.model.TttInputs;
import dev.speculators.train.optim.LearningRateSchedule;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the steps of a {@link LocalPlan} in process on the CPU with the reference engine: datagen
 * (every shard in turn), training, evaluation (the speculator and an untrained draft of the same
 * shape, output checked against plain greedy decoding). Each phase draws a progress bar; the
 * workers' own log lines go to the log sink ({@code run.log}).
 */
public final class LocalRunner {
  private static final Pattern DATAGEN_PROGRESS =
      Pattern.compile("datagen shard \\d+/\\d+: (\\d+)/(\\d+) rows");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Tokens generated per evaluation prompt at most; decoding stops earlier at an end token. */
  static final int MAX_OUTPUT_TOKENS = 128;

  private final LocalPlan plan;
  private final LocalVolumes volumes;
  private final PrintStream console;
  private final boolean interactive;
  private final Consumer<String> log;
  private final Supplier<HfHub> hub;
  private final Map<String, Path> models = new HashMap<>();

  /** Where each dataset step's data is: its own directory, or a reused one. */
  private final Map<Path, Path> datasetDirs = new HashMap<>();

  private volatile Trainer activeTrainer;

  public LocalRunner(
      LocalPlan plan,
      LocalVolumes volumes,
      PrintStream console,
      boolean interactive,
      Consumer<String> log,
      Supplier<HfHub> hub) {
    this.plan = plan;
    this.volumes = volumes;
    this.console = console;
    this.interactive = interactive;
    this.log = log;
    this.hub = hub;
  }

  /** Asks a running training to save a checkpoint and stop (Ctrl-C); a rerun resumes it. */
  public void requestStop() {
    Trainer t = activeTrainer;
    if (t != null) {
      t.requestStop();
      try {
        t.awaitStopped(10, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  public RunReport run() throws LocalRunException {
    long start = System.nanoTime();
    List<RunReport.DatasetOutcome> datasets = new ArrayList<>();
    List<RunReport.TrainingOutcome> trainings = new ArrayList<>();
    List<RunReport.EvalOutcome> evaluations = new ArrayList<>();
    for (LocalPlan.Step step : plan.steps()) {
      log.accept(
          "=== "
              + step.getClass().getSimpleName().replace("Step", "")
              + " "
              + step.name()
              + " → "
              + step.dir());
      try {
        if (step instanceof LocalPlan.DatasetStep d) {
          datasets.add(dataset(d));
        } else if (step instanceof LocalPlan.TrainingStep t) {
          trainings.add(training(t));
        } else if (step instanceof LocalPlan.EvalStep e) {
          evaluations.add(evaluation(e));
        }
      } catch (LocalRunException e) {
        throw e;
      } catch (IOException | RuntimeException | EvalException e) {
        throw new LocalRunException(
            step.location()
                + ": "
                + step.name()
                + " failed: "
                + (e.getMessage() != null ? e.getMessage() : e.toString()),
            e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LocalRunException(step.name() + ": interrupted", e);
      }
    }
    return new RunReport(
        plan.file(),
        volumes.output(),
        datasets,
        trainings,
        evaluations,
        (System.nanoTime() - start) / 1e9);
  }

  // ---- datagen ------------------------------------------------------------------------------

  private RunReport.DatasetOutcome dataset(LocalPlan.DatasetStep step)
      throws IOException, InterruptedException, LocalRunException {
    long start = System.nanoTime();
    HiddenStateDatasetSpec spec = step.spec();
    Path model = model(spec.targetModel);
    List<DataSpec> data = new ArrayList<>();
    for (DatasetSource s : spec.datasets) {
      data.add(dataSpec(s));
    }
    int shards = spec.shards;
    int concurrency =
        Math.max(1, Math.min(spec.concurrency, Runtime.getRuntime().availableProcessors()));
    DatagenOptions first = options(step, model, data, 0, concurrency);
    String hash =
        DatasetIdentity.of(first, DatasetIdentity.VolumeNames.of(first.volumeNames())).hash();
    if (spec.reuse != DatasetReuse.NEVER) {
      Optional<Path> equal = LocalDatasets.withHash(volumes.output(), hash, step.dir());
      if (equal.isPresent()) {
        return reused(step, equal.get(), hash, start);
      }
    }
    ProgressBar bar = new ProgressBar(console, interactive, "datagen " + step.name(), "rows");
    long[] last = {0, 0};
    String[] storage = {null};
    long estimated = -1;
    for (int shard = 0; shard < shards; shard++) {
      DatagenOptions options = options(step, model, data, shard, concurrency);
      int shardIndex = shard;
      Consumer<String> datagenLog =
          line -> {
            log.accept(line);
            if (storage[0] == null && line.contains("storage: ")) {
              // the pre-flight estimate, once per dataset, above the progress bar
              storage[0] = line.substring(line.indexOf("storage: ") + "storage: ".length());
              console.println("datagen " + step.name() + ": " + line);
            }
            Matcher m = DATAGEN_PROGRESS.matcher(line);
            if (m.find()) {
              // rows of earlier shards are done; this shard's line counts its own range
              long done = Long.parseLong(m.group(1));
              long total = Long.parseLong(m.group(2));
              last[0] = done;
              last[1] = total;
              bar.update(done, total, shards > 1 ? "shard " + (shardIndex + 1) + "/" + shards : "");
            }
          };
      DatagenWorker.Result r =
          new DatagenWorker(
                  options,
                  new DatagenWorker.Dependencies(
                      hubOrNull(), hubDatasets(), new ReferenceEngineFactory()),
                  datagenLog)
              .run();
      if (r.exitCode() != 0) {
        bar.finish(last[0], last[1], "failed");
        throw new LocalRunException(
            step.location()
                + ": HiddenStateDataset "
                + step.name()
                + " failed: "
                + r.summary().path("error").asText(r.summary().toString())
                + " (details in the run log)");
      }
      estimated = r.summary().path("estimatedBytes").asLong(estimated);
    }
    SortedMap<Integer, Integer> lengths =
        SampleLengths.read(new DatasetLayout(step.dir()).sampleLengthsFile());
    long tokens = lengths.values().stream().mapToLong(Integer::longValue).sum();
    bar.finish(last[1], last[1], lengths.size() + " samples, " + tokens + " tokens");
    datasetDirs.put(step.dir(), step.dir());
    return new RunReport.DatasetOutcome(
        step.name(),
        step.dir(),
        lengths.size(),
        tokens,
        seconds(start),
        null,
        hash,
        estimated,
        StorageCheck.bytesUnder(step.dir()));
  }

  /** A dataset step that uses the data of an equal one in the output directory. */
  private RunReport.DatasetOutcome reused(
      LocalPlan.DatasetStep step, Path equal, String hash, long start) throws IOException {
    SortedMap<Integer, Integer> lengths =
        SampleLengths.read(new DatasetLayout(equal).sampleLengthsFile());
    long tokens = lengths.values().stream().mapToLong(Integer::longValue).sum();
    console.println(
        "datagen "
            + step.name()
            + ": reused "
            + equal
            + " (same content hash "
            + hash
            + "): "
            + lengths.size()
            + " samples, nothing generated");
    log.accept("dataset " + step.name() + " reuses " + equal + " (content hash " + hash + ")");
    datasetDirs.put(step.dir(), equal);
    return new RunReport.DatasetOutcome(
        step.name(), equal, lengths.size(), tokens, seconds(start), equal, hash, -1, -1);
  }

  /**
   * Names of the local claim directories, as a cluster names the claims in content hashes; the
   * worker records its hash with them, so a reused dataset on a claim is found again.
   */
  private Map<String, String> claimNames() {
    Map<String, String> names = new java.util.TreeMap<>();
    Path claims = volumes.output().resolve(LocalVolumes.VOLUMES);
    if (Files.isDirectory(claims)) {
      try (var s = Files.list(claims)) {
        for (Path c : s.filter(Files::isDirectory).toList()) {
          names.put(c.toString(), "pvc:" + c.getFileName());
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return names;
  }

  private DatagenOptions options(
      LocalPlan.DatasetStep step, Path model, List<DataSpec> data, int shard, int concurrency) {
    HiddenStateDatasetSpec spec = step.spec();
    return new DatagenOptions(
        null,
        model.toString(),
        "main",
        data,
        step.dir(),
        spec.sequenceLength,
        spec.maxSamples,
        spec.layerIds == null ? null : spec.layerIds.stream().mapToInt(Integer::intValue).toArray(),
        shard,
        spec.shards,
        concurrency,
        spec.seed,
        false,
        DatagenOptions.Engine.REFERENCE,
        DatagenOptions.Renderer.AUTO,
        Map.of(),
        null,
        Duration.ofMinutes(2),
        Duration.ofSeconds(1),
        Duration.ofSeconds(1),
        1,
        Duration.ofMillis(100),
        8,
        Duration.ofMillis(250),
        null,
        null,
        List.of("speculators run -f " + plan.file()),
        claimNames(),
        false);
  }

  private DataSpec dataSpec(DatasetSource s) {
    if (s.path != null) {
      Path p = volumes.path(s.path);
      if (!Files.exists(p)) {
        throw new IllegalArgumentException("dataset source path " + p + " does not exist");
      }
      return new DataSpec(
          p.toString(),
          DataSpec.Kind.LOCAL,
          p.toString(),
          p,
          null,
          null,
          null,
          null,
          s.maxSamples,
          s.turnDropout);
    }
    StringBuilder text =
        new StringBuilder(s.preset != null ? s.preset.name().toLowerCase(Locale.ROOT) : s.hf);
    if (s.maxSamples != null) {
      text.append(",maxSamples=").append(s.maxSamples);
    }
    if (s.turnDropout != null) {
      text.append(",turnDropout=").append(s.turnDropout);
    }
    if (s.split != null) {
      text.append(",split=").append(s.split);
    }
    return DataSpec.parse(text.toString());
  }

  // ---- training -----------------------------------------------------------------------------

  private RunReport.TrainingOutcome training(LocalPlan.TrainingStep step)
      throws IOException, LocalRunException {
    long start = System.nanoTime();
    DraftSpec d = step.spec().draft;
    TrainingParameters p = step.spec().training;
    Path model = model(step.targetModel());
    TrainingOptions options =
        new TrainingOptions(
            model,
            verifierName(step.targetModel(), model),
            datasetDirs.getOrDefault(step.datasetDir(), step.datasetDir()),
            null,
            null,
            null,
            null,
            null,
            step.dir(),
            p.epochs,
            p.learningRate,
            p.weightDecay,
            LearningRateSchedule.Kind.valueOf(p.scheduler.name()),
            p.warmupSteps != null ? p.warmupSteps : -1,
            p.warmupRatio != null ? p.warmupRatio : -1,
            p.maxSequenceLength,
            d.tttSteps,
            d.resolvedValidationTttSteps(),
            d.tttStepLossDecay,
            d.tttInputs == dev.speculators.api.TttInputs.GROUND_TRUTH
                ? TttInputs.GROUND_TRUTH
                : TttInputs.DRAFT,
            d.numLayers,
            d.draftVocabSize,
            d.normBeforeResidual,
            d.trainLmHead,
            p.noiseStd,
            p.gradClip > 0 ? p.gradClip : Double.MAX_VALUE,
            p.seed,
            p.validationRatio,
            1,
            true,
            false,
            2,
            1,
            0,
            false,
            p.precision == null ? null : Precision.of(p.precision.name()),
            true);
    ProgressBar bar = new ProgressBar(console, interactive, "train " + step.name(), "steps");
    long[] last = {0, 0};
    Trainer trainer =
        new Trainer(
            options,
            line -> {
              Optional<ObjectNode> progress = ProgressLine.parse(line);
              if (progress.isPresent() && "train".equals(progress.get().path("kind").asText())) {
                ObjectNode n = progress.get();
                last[0] = n.path("globalStep").asLong();
                last[1] = n.path("totalSteps").asLong();
                bar.update(
                    last[0],
                    last[1],
                    String.format(
                        Locale.ROOT,
                        "epoch %d/%d  loss %.4f",
                        n.path("epoch").asInt(),
                        n.path("epochs").asInt(),
                        n.path("loss").asDouble()));
              } else {
                log.accept(line);
              }
            });
    activeTrainer = trainer;
    Trainer.Summary s;
    try {
      s = trainer.run();
    } finally {
      activeTrainer = null;
    }
    if (s.interrupted()) {
      bar.finish(last[0], last[1], "stopped");
      throw new LocalRunException(
          "training "
              + step.name()
              + " stopped; its checkpoint is in "
              + step.dir()
              + "/checkpoints (run again to resume)");
    }
    Accuracy acc = accuracy(step.dir().resolve("metrics.jsonl"), s);
    bar.finish(
        s.globalStep(), s.globalStep(), String.format(Locale.ROOT, "loss %.4f", s.trainLoss()));
    return new RunReport.TrainingOutcome(
        step.name(),
        step.dir(),
        s.epochsCompleted(),
        s.globalStep(),
        s.trainLoss(),
        s.valLoss(),
        acc.full(),
        acc.cond(),
        acc.source(),
        s.finalDir(),
        s.tokens(),
        s.stepsRun(),
        seconds(start));
  }

  private record Accuracy(double[] full, double[] cond, String source) {}

  /**
   * The last validation's per-step accuracies from {@code metrics.jsonl} (a resumed run that had
   * nothing left to do has none in its summary), else the summary's.
   */
  private static Accuracy accuracy(Path metrics, Trainer.Summary s) throws IOException {
    JsonNode lastVal = null;
    if (Files.isRegularFile(metrics)) {
      for (String line : Files.readAllLines(metrics)) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode n = JSON.readTree(line);
        if ("val".equals(n.path("type").asText())) {
          lastVal = n;
        }
      }
    }
    if (lastVal != null) {
      return new Accuracy(
          doubles(lastVal.path("full_acc_epoch")),
          doubles(lastVal.path("cond_acc_epoch")),
          "validation");
    }
    return new Accuracy(s.fullAcc(), s.condAcc(), "training");
  }

  private static double[] doubles(JsonNode array) {
    double[] out = new double[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asDouble(Double.NaN);
    }
    return out;
  }

  private static String verifierName(ModelSource m, Path local) {
    return m.hfId != null ? m.hfId : local.toString();
  }

  // ---- evaluation ---------------------------------------------------------------------------

  private RunReport.EvalOutcome evaluation(LocalPlan.EvalStep step)
      throws IOException, EvalException {
    long start = System.nanoTime();
    EvalSettings e = step.spec();
    List<String> data = new ArrayList<>();
    for (String d : e.datasets) {
      Path local = volumes.relative(d);
      data.add(Files.exists(local) ? local.toString() : d);
    }
    if (e.sampling != null && e.sampling.temperature != null && e.sampling.temperature != 0) {
      log.accept(
          "note: "
              + step.name()
              + ": the reference engine decodes greedily; spec.sampling is not used");
    }
    if (Boolean.TRUE.equals(e.baseline)) {
      log.accept(
          "note: "
              + step.name()
              + ": no throughput baseline on the CPU; the report gives target forward"
              + " passes per output token instead (1 without speculation)");
    }
    int k = e.numSpeculativeTokens != null ? e.numSpeculativeTokens : 3;
    long seed = step.training() != null ? step.training().spec().training.seed : 0L;
    ReferenceEvalSettings settings =
        new ReferenceEvalSettings(
            model(step.targetModel()),
            step.speculatorDir(),
            data,
            step.dir(),
            k,
            e.guidellm == null ? null : e.guidellm.maxRequests,
            MAX_OUTPUT_TOKENS,
            null,
            true,
            seed,
            true,
            null);
    ProgressBar bar = new ProgressBar(console, interactive, "eval " + step.name(), "prompts");
    ReferenceEvalResults r =
        new ReferenceEvalRunner(
                settings,
                hubOrNull(),
                log,
                (dataset, done, total) -> bar.update(done, total, "K=" + k + "  " + dataset))
            .run();
    bar.finish(
        r.prompts(),
        r.prompts(),
        String.format(
            Locale.ROOT,
            "mean acceptance length %.3f (untrained %.3f)",
            r.pooledAcceptance().meanAcceptanceLength(),
            r.pooledUntrainedAcceptance() == null
                ? Double.NaN
                : r.pooledUntrainedAcceptance().meanAcceptanceLength()));
    Double gate =
        step.training() != null && step.training().spec().acceptanceGate != null
            ? step.training().spec().acceptanceGate.minMeanAcceptanceLength
            : null;
    return new RunReport.EvalOutcome(
        step.name(),
        step.dir(),
        k,
        r.prompts(),
        r.outputTokens(),
        r.targetPasses(),
        r.pooled(),
        r.pooledUntrained(),
        true,
        gate,
        seconds(start));
  }

  // ---- shared -------------------------------------------------------------------------------

  private Path model(ModelSource m) throws IOException {
    String key = m.describe();
    Path cached = models.get(key);
    if (cached == null) {
      cached = volumes.model(m);
      if (!Files.isDirectory(cached)) {
        throw new IOException("target model " + key + ": no such directory " + cached);
      }
      models.put(key, cached);
    }
    return cached;
  }

  private HfHub hubOrNull() {
    try {
      return hub.get();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private HubDatasets hubDatasets() {
    return new HubDatasets() {
      @Override
      public List<String> listFiles(String repo, String revision) throws IOException {
        return hub.get().listFiles(RepoType.DATASET, repo, revision);
      }

      @Override
      public Path download(String repo, String revision, String file) throws IOException {
        return hub.get().download(RepoType.DATASET, repo, revision, file);
      }
    };
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
