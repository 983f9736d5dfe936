package dev.speculators.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.io.TerminationLog;
import dev.speculators.io.hf.HfModelDir;
import dev.speculators.io.hub.HfHub;
import dev.speculators.io.hub.RepoType;
import dev.speculators.train.Trainer;
import dev.speculators.train.TrainingOptions;
import dev.speculators.train.data.HiddenStatesOptions;
import dev.speculators.train.data.MissingHiddenStates;
import dev.speculators.train.model.Precision;
import dev.speculators.train.model.TttInputs;
import dev.speculators.train.optim.LearningRateSchedule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Trains an EAGLE3 draft on a speculators dataset and writes a vLLM-loadable speculator. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Train an EAGLE3 speculator with training-time test on a speculators dataset.",
      "Writes <output>/vocab/, <output>/checkpoints/<epoch>/, <output>/final/ (config.json"
          + " + model.safetensors, loadable by vLLM) and <output>/metrics.jsonl. Resumes from the"
          + " newest complete checkpoint unless --no-resume-from-checkpoint. SIGTERM saves a"
          + " checkpoint and exits with 143. Runs on CPU unless PYTORCH_LIBRARY_PATH points at a"
          + " CUDA libtorch (the trainer image); bf16 on a GPU, fp32 on a CPU unless --precision"
          + " says otherwise."
    })
public final class TrainCommand implements Callable<Integer> {
  static final int DEFAULT_DRAFT_VOCAB = 32000;
  static final double DEFAULT_VALIDATION_RATIO = 0.1;

  @Option(
      names = {"--verifier", "--verifier-name-or-path"},
      required = true,
      description = "verifier (target) model: a local Hugging Face directory or a Hub id")
  String verifier;

  @Option(
      names = "--verifier-name",
      description = "verifier name written into the exported config (default: --verifier)")
  String verifierName;

  @Option(
      names = {"--data", "--data-path"},
      required = true,
      description =
          "speculators dataset: its root (with data/) or the data/ directory; or a speculators"
              + " 0.5+ preprocessed dataset (with hidden_states/)")
  Path data;

  @Option(
      names = {"--output", "--save-path"},
      required = true,
      description = "run directory")
  Path output;

  @Option(
      names = {"--token-freq", "--token-freq-path"},
      description = "token_freq.pt (default: found next to the data)")
  Path tokenFreq;

  @Option(names = "--epochs", defaultValue = "20", description = "default: ${DEFAULT-VALUE}")
  int epochs;

  @Option(
      names = "--lr",
      defaultValue = "1e-4",
      description = "peak learning rate, default: ${DEFAULT-VALUE}")
  double lr;

  @Option(
      names = "--weight-decay",
      defaultValue = "0.01",
      description = "AdamW weight decay, default: ${DEFAULT-VALUE}")
  double weightDecay;

  @Option(
      names = "--scheduler-type",
      defaultValue = "linear",
      description = "linear, cosine or none, default: ${DEFAULT-VALUE}")
  String scheduler;

  @Option(
      names = "--scheduler-warmup-steps",
      defaultValue = "-1",
      description = "warmup steps (default: 1%% of all steps)")
  long warmupSteps;

  @Option(
      names = "--scheduler-warmup-ratio",
      defaultValue = "-1",
      description = "warmup as a fraction of all steps (instead of --scheduler-warmup-steps)")
  double warmupRatio;

  @Option(
      names = "--total-seq-len",
      defaultValue = "8192",
      description = "tokens per packed row, default: ${DEFAULT-VALUE}")
  int totalSeqLen;

  @Option(
      names = "--ttt-steps",
      defaultValue = "3",
      description = "training-time-test steps, default: ${DEFAULT-VALUE}")
  int tttSteps;

  @Option(
      names = "--validation-ttt-steps",
      defaultValue = "0",
      description = "TTT steps in validation (default: --ttt-steps)")
  int validationTttSteps;

  @Option(
      names = "--ttt-step-loss-decay",
      defaultValue = "1.0",
      description = "loss weight decay per step, default: ${DEFAULT-VALUE}")
  double decay;

  @Option(
      names = "--ttt-inputs",
      defaultValue = "draft",
      description =
          "next-step tokens: draft (own argmax via d2t, upstream v0.4) or ground-truth (teacher forcing)")
  String tttInputs;

  @Option(names = "--use-off-policy-tokens", description = "same as --ttt-inputs ground-truth")
  boolean offPolicy;

  @Option(
      names = "--num-layers",
      defaultValue = "1",
      description = "draft decoder layers, default: ${DEFAULT-VALUE}")
  int numLayers;

  @Option(
      names = "--draft-vocab-size",
      description =
          "draft vocabulary (0 or ≥ verifier vocab: full vocabulary), default: 32000, or the size"
              + " of --d2t-path")
  Integer draftVocabSize;

  @Option(
      names = "--target-layer-ids",
      split = ",",
      arity = "1..*",
      paramLabel = "ID",
      description =
          "verifier layers the auxiliary hidden states were captured at, vLLM numbering, without"
              + " the final layer (default: from the dataset; speculators 0.5+ data: [2, N/2, N-3])")
  List<Integer> targetLayerIds;

  @Option(
      names = "--d2t-path",
      description =
          "precomputed vocabulary mapping: d2t.npy (int64 [Vd]), with --t2d-path; default: built"
              + " from the token frequencies")
  Path d2tPath;

  @Option(
      names = "--t2d-path",
      description = "precomputed vocabulary mapping: t2d.npy (bool [V]), with --d2t-path")
  Path t2dPath;

  @Option(
      names = "--hidden-states-path",
      paramLabel = "DIR",
      description =
          "speculators 0.5+ data: the folder of the hs_<row>.safetensors files (default:"
              + " <data>/hidden_states)")
  Path hiddenStatesPath;

  @Option(
      names = "--on-missing",
      paramLabel = "warn|skip|raise",
      description =
          "speculators 0.5+ data: rows without a hidden-states file are skipped with a line"
              + " (warn, default), skipped silently (skip), or stop the run (raise); upstream's"
              + " generate needs the states generated first")
  String onMissing;

  @Option(
      names = "--norm-before-residual",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "layer 0 residual after hidden_norm (default: true)")
  boolean normBeforeResidual;

  @Option(
      names = "--train-lm-head",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "train the draft lm_head (default: true, as upstream v0.3/v0.4)")
  boolean trainLmHead;

  @Option(
      names = "--noise-std",
      defaultValue = "0.05",
      description = "uniform noise on aux states, default: ${DEFAULT-VALUE}")
  double noiseStd;

  @Option(
      names = "--grad-clip",
      defaultValue = "1.0",
      description = "global gradient norm clip, default: ${DEFAULT-VALUE}")
  double gradClip;

  @Option(names = "--seed", defaultValue = "0", description = "default: ${DEFAULT-VALUE}")
  long seed;

  @Option(
      names = "--validation-ratio",
      description = "share held out for validation, default: " + DEFAULT_VALIDATION_RATIO)
  Double validationRatio;

  @Option(
      names = "--train-data-ratio",
      description = "upstream's form of the split: 1 - --validation-ratio")
  Double trainDataRatio;

  @Option(
      names = "--speculator-type",
      description = "upstream's choice of speculator; this trainer trains eagle3 (the default)")
  String speculatorType;

  @Option(
      names = "--hidden-states-dtype",
      description = "upstream's form of --precision: bfloat16 (bf16) or float32 (fp32)")
  String hiddenStatesDtype;

  @Option(
      names = "--log-every",
      defaultValue = "10",
      description = "steps between progress lines, default: ${DEFAULT-VALUE}")
  int logEvery;

  @Option(
      names = "--no-resume-from-checkpoint",
      description = "start from scratch even if checkpoints exist")
  boolean noResume;

  @Option(
      names = "--attention",
      defaultValue = "fused",
      description = "fused (default) or dense (reference path)")
  String attention;

  @Option(
      names = "--precision",
      description =
          "fp32 or bf16 (bf16 matmuls and attention, float32 master weights, AdamW state, norms"
              + " and loss); default: bf16 on a GPU, fp32 on a CPU")
  String precision;

  @Option(
      names = "--tf32",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "float32 matmuls on CUDA may use TensorFloat-32 (default: true; no effect on a CPU)")
  boolean tf32;

  @Option(
      names = "--prefetch-rows",
      defaultValue = "2",
      description = "rows packed ahead, default: ${DEFAULT-VALUE}")
  int prefetch;

  @Option(
      names = "--loader-threads",
      defaultValue = "1",
      description = "row packing threads, default: ${DEFAULT-VALUE}")
  int loaderThreads;

  @Option(
      names = "--max-steps",
      defaultValue = "0",
      description = "stop after this many optimizer steps (0: no limit)")
  long maxSteps;

  @Option(
      names = "--save-embed-tokens",
      description = "also export embed_tokens.weight (vLLM shares the verifier's otherwise)")
  boolean saveEmbedTokens;

  @Option(
      names = "--termination-log",
      description =
          "where to write the JSON summary (default: /dev/termination-log when it exists)")
  Path terminationLog;

  /** The run's options from the flags, upstream's names included; a bad combination throws. */
  TrainingOptions options() throws IOException {
    if (speculatorType != null && !speculatorType.strip().equalsIgnoreCase("eagle3")) {
      throw new IllegalArgumentException(
          "--speculator-type "
              + speculatorType
              + ": this trainer trains EAGLE3 speculators only (upstream's dflash, dspark, peagle"
              + " and mtp are not supported)");
    }
    if (trainDataRatio != null && validationRatio != null) {
      throw new IllegalArgumentException(
          "--train-data-ratio and --validation-ratio say the same thing: give one");
    }
    if (trainDataRatio != null && !(trainDataRatio > 0 && trainDataRatio <= 1)) {
      throw new IllegalArgumentException(
          "--train-data-ratio " + trainDataRatio + ": must be in (0, 1]");
    }
    double heldOut =
        trainDataRatio != null
            ? 1 - trainDataRatio
            : validationRatio != null ? validationRatio : DEFAULT_VALIDATION_RATIO;
    Precision compute = precision(precision, hiddenStatesDtype);
    Path verifierDir = resolveVerifier(verifier);
    TttInputs inputs = offPolicy ? TttInputs.GROUND_TRUTH : parseInputs(tttInputs);
    return new TrainingOptions(
        verifierDir,
        verifierName != null ? verifierName : verifier,
        data,
        tokenFreq,
        new HiddenStatesOptions(
            hiddenStatesPath, onMissing == null ? null : MissingHiddenStates.of(onMissing)),
        d2tPath,
        t2dPath,
        targetLayerIds,
        output,
        epochs,
        lr,
        weightDecay,
        LearningRateSchedule.Kind.valueOf(scheduler.toUpperCase(java.util.Locale.ROOT)),
        warmupSteps,
        warmupRatio,
        totalSeqLen,
        tttSteps,
        validationTttSteps > 0 ? validationTttSteps : tttSteps,
        decay,
        inputs,
        numLayers,
        draftVocabSize != null ? draftVocabSize : d2tPath != null ? 0 : DEFAULT_DRAFT_VOCAB,
        normBeforeResidual,
        trainLmHead,
        noiseStd,
        gradClip,
        seed,
        heldOut,
        logEvery,
        !noResume,
        "dense".equals(attention),
        prefetch,
        loaderThreads,
        maxSteps,
        saveEmbedTokens,
        compute,
        tf32);
  }

  /** {@code --precision}, or upstream's {@code --hidden-states-dtype}, or null for the default. */
  private static Precision precision(String precision, String hiddenStatesDtype) {
    Precision fromDtype =
        hiddenStatesDtype == null
            ? null
            : switch (hiddenStatesDtype.strip().toLowerCase(java.util.Locale.ROOT)) {
              case "bfloat16", "bf16" -> Precision.BF16;
              case "float32", "fp32" -> Precision.FP32;
              default ->
                  throw new IllegalArgumentException(
                      "--hidden-states-dtype "
                          + hiddenStatesDtype
                          + ": expected bfloat16 or float32 (upstream does not train in float16"
                          + " either)");
            };
    Precision given = precision == null ? null : Precision.of(precision);
    if (given != null && fromDtype != null && given != fromDtype) {
      throw new IllegalArgumentException(
          "--precision "
              + precision
              + " and --hidden-states-dtype "
              + hiddenStatesDtype
              + " differ");
    }
    return given != null ? given : fromDtype;
  }

  @Override
  public Integer call() throws Exception {
    TrainingOptions options = options();
    Trainer trainer = new Trainer(options, System.out::println);
    Thread hook =
        new Thread(
            () -> {
              trainer.requestStop();
              try {
                trainer.awaitStopped(10, TimeUnit.MINUTES);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "train-sigterm");
    Runtime.getRuntime().addShutdownHook(hook);
    Trainer.Summary summary = trainer.run();
    TerminationLog.write(
        terminationLog != null ? terminationLog : TerminationLog.defaultPath(),
        summaryJson(summary, output));
    if (summary.interrupted()) {
      return 143;
    }
    Runtime.getRuntime().removeShutdownHook(hook);
    return 0;
  }

  private static TttInputs parseInputs(String s) {
    return switch (s) {
      case "draft" -> TttInputs.DRAFT;
      case "ground-truth", "groundTruth" -> TttInputs.GROUND_TRUTH;
      default ->
          throw new IllegalArgumentException(
              "--ttt-inputs must be draft or ground-truth, got '" + s + "'");
    };
  }

  /**
   * A local directory as is; anything else is a Hub model id, downloaded (config, weights,
   * tokenizer).
   */
  static Path resolveVerifier(String spec) throws IOException {
    Path local = Path.of(spec);
    if (Files.isDirectory(local)) {
      return local;
    }
    if (spec.startsWith("/") || spec.startsWith(".")) {
      throw new IOException("--verifier " + spec + ": no such directory");
    }
    String[] idAndRevision = spec.split("@", 2);
    try {
      return HfHub.fromEnvironment()
          .downloadAll(
              RepoType.MODEL,
              idAndRevision[0],
              idAndRevision.length > 1 ? idAndRevision[1] : null,
              name ->
                  name.endsWith(".json")
                      || name.endsWith(".safetensors")
                      || name.endsWith(".jinja"));
    } catch (IOException e) {
      // neither a local directory nor a model the Hub serves: say which flag and both readings
      throw new IOException(
          "--verifier " + spec + ": not a local directory, and on the Hub: " + e.getMessage(), e);
    }
  }

  static ObjectNode summaryJson(Trainer.Summary s, Path output) {
    ObjectNode n = new ObjectMapper().createObjectNode();
    n.put("kind", "train");
    n.put("epoch", s.epochsCompleted());
    n.put("epochs", s.epochs());
    n.put("globalStep", s.globalStep());
    n.put("stepsPerEpoch", s.stepsPerEpoch());
    putNumber(n, "trainLoss", s.trainLoss());
    putNumber(n, "valLoss", s.valLoss());
    ArrayNode full = n.putArray("fullAcc");
    for (double v : s.fullAcc()) {
      full.add(Math.round(v * 1e4) / 1e4);
    }
    ArrayNode cond = n.putArray("condAcc");
    for (double v : s.condAcc()) {
      cond.add(Math.round(v * 1e4) / 1e4);
    }
    n.put("bestEpoch", s.bestEpoch());
    if (s.lastCheckpoint() != null) {
      n.put("checkpoint", relative(output, s.lastCheckpoint()));
    }
    if (s.finalDir() != null) {
      n.put("final", "final");
      maxPositionEmbeddings(s.finalDir())
          .ifPresent(m -> n.put("maxPositionEmbeddings", m.intValue()));
    }
    n.put("interrupted", s.interrupted());
    n.put("tokens", s.tokens());
    n.put("wallSeconds", Math.round(s.wallSeconds() * 10) / 10.0);
    return n;
  }

  // the exported speculator's context limit: an eval's max_model_len must not exceed it
  private static java.util.Optional<Integer> maxPositionEmbeddings(Path finalDir) {
    try {
      return HfModelDir.draftMaxPositionEmbeddings(
          new ObjectMapper().readTree(finalDir.resolve("config.json").toFile()));
    } catch (IOException e) {
      return java.util.Optional.empty();
    }
  }

  // paths in the summary are relative to the output directory (the volume mount differs per pod)
  private static String relative(Path output, Path p) {
    Path base = output.toAbsolutePath().normalize();
    Path abs = p.toAbsolutePath().normalize();
    return abs.startsWith(base) ? base.relativize(abs).toString() : abs.toString();
  }

  private static void putNumber(ObjectNode n, String key, double v) {
    if (Double.isFinite(v)) {
      n.put(key, Math.round(v * 1e4) / 1e4);
    }
  }
}
