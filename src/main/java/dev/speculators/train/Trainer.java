package dev.speculators.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.io.AtomicFiles;
import dev.speculators.io.HostTensor;
import dev.speculators.io.ProgressLine;
import dev.speculators.io.hf.HfModelDir;
import dev.speculators.train.checkpoint.Checkpoints;
import dev.speculators.train.checkpoint.SpeculatorConfig;
import dev.speculators.train.checkpoint.TrainerState;
import dev.speculators.train.data.PackedRow;
import dev.speculators.train.data.RowLoader;
import dev.speculators.train.data.SpeculatorsDataset;
import dev.speculators.train.data.TrainingData;
import dev.speculators.train.model.DenseMaskTttAttention;
import dev.speculators.train.model.DraftConfig;
import dev.speculators.train.model.DraftConfigs;
import dev.speculators.train.model.Eagle3DraftModel;
import dev.speculators.train.model.FusedTttAttention;
import dev.speculators.train.model.LinearOps;
import dev.speculators.train.model.OpLibrary;
import dev.speculators.train.model.Precision;
import dev.speculators.train.model.TttAttention;
import dev.speculators.train.model.TttInputs;
import dev.speculators.train.model.TttResult;
import dev.speculators.train.optim.AdamW;
import dev.speculators.train.optim.GradientClipping;
import dev.speculators.train.optim.LearningRateSchedule;
import dev.speculators.train.vocab.VocabMapping;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One EAGLE3 training run (eagle3-spec §6): vocabulary mapping, draft initialisation or resume,
 * epochs of packed rows with training-time test, AdamW with clipping and a warmup schedule,
 * validation and a checkpoint per epoch, and the servable speculator in {@code final/}.
 *
 * <p>Output layout: {@code vocab/{d2t,t2d}.npy}, {@code checkpoints/<epoch>/} (and {@code
 * checkpoints/step-<n>/} when interrupted), {@code final/} (config.json + model.safetensors),
 * {@code metrics.jsonl}.
 */
public final class Trainer {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final TrainingOptions o;
  private final Consumer<String> log;
  private final AtomicBoolean stopRequested = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);

  /**
   * How the run ended. {@code tokens} and {@code stepsRun} count this run only (a resumed run
   * starts at its checkpoint's step); {@code globalStep} counts them all.
   */
  public record Summary(
      int epochsCompleted,
      int epochs,
      long globalStep,
      int stepsPerEpoch,
      double trainLoss,
      double valLoss,
      double[] fullAcc,
      double[] condAcc,
      int bestEpoch,
      Path lastCheckpoint,
      Path finalDir,
      boolean interrupted,
      long tokens,
      long stepsRun,
      double wallSeconds) {}

  public Trainer(TrainingOptions options, Consumer<String> log) {
    this.o = options;
    this.log = log;
  }

  /** Asks the run to stop after the current step and save a checkpoint (SIGTERM). */
  public void requestStop() {
    stopRequested.set(true);
  }

  /** Waits until the run has finished or saved its interrupt checkpoint. */
  public boolean awaitStopped(long timeout, TimeUnit unit) throws InterruptedException {
    return stopped.await(timeout, unit);
  }

  public Summary run() throws IOException {
    try {
      return train();
    } finally {
      stopped.countDown();
    }
  }

  private Summary train() throws IOException {
    long start = System.nanoTime();
    Files.createDirectories(o.output());
    Path checkpoints = o.output().resolve("checkpoints");
    HfModelDir verifier = HfModelDir.open(o.verifier());
    SpeculatorsDataset dataset =
        SpeculatorsDataset.open(o.data(), o.tokenFrequencies(), o.hiddenStates(), log);
    if (dataset.hiddenSize() != verifier.hiddenSize()) {
      throw new IllegalArgumentException(
          "dataset hidden size "
              + dataset.hiddenSize()
              + " differs from the verifier's hidden_size "
              + verifier.hiddenSize()
              + " ("
              + o.verifier()
              + "): the data was generated from another model");
    }
    VocabMapping mapping = vocabulary(dataset, verifier.vocabSize());
    DraftConfig config =
        DraftConfigs.fromVerifier(
            verifier, o.numLayers(), mapping.draftVocabSize(), o.normBeforeResidual(), log);
    int[] auxIds = dataset.auxLayerIds(verifier.numHiddenLayers(), o.targetLayerIds());
    ObjectNode speculatorConfig =
        SpeculatorConfig.build(
            config,
            o.verifierName(),
            verifier.architectures(),
            auxIds,
            o.tttSteps(),
            verifier.maxPositionEmbeddings());

    TrainingData data =
        TrainingData.of(
            dataset,
            TrainingData.Options.defaults()
                .withRowLength(o.totalSeqLen())
                .withValidationRatio(o.validationRatio())
                .withSeed(o.seed())
                .withNoiseStd(o.noiseStd())
                .withLoading(o.prefetchRows(), o.loaderThreads()));
    long totalSteps = 0;
    for (int e = 0; e < o.epochs(); e++) {
      totalSteps += data.trainStepsPerEpoch(e);
    }
    if (o.maxSteps() > 0) {
      totalSteps = Math.min(totalSteps, o.maxSteps());
    }
    if (totalSteps == 0) {
      throw new IllegalArgumentException(
          "no training rows: "
              + dataset.size()
              + " samples, "
              + data.split().train().size()
              + " for training");
    }
    LearningRateSchedule schedule =
        new LearningRateSchedule(
            o.scheduler(), o.learningRate(), o.warmupFor(totalSteps), totalSteps, 0.5);
    String fingerprint = fingerprint(dataset, config, auxIds, mapping);
    log.accept(
        String.format(
            Locale.ROOT,
            "training: %d samples (%d train / %d validation files), draft vocab %d of %d, %d layer(s),"
                + " aux layers %s, T=%d, %d steps/epoch × %d epochs, warmup %d",
            dataset.size(),
            data.split().train().size(),
            data.split().validation().size(),
            config.draftVocabSize(),
            config.vocabSize(),
            config.numLayers(),
            java.util.Arrays.toString(auxIds),
            o.totalSeqLen(),
            data.trainStepsPerEpoch(0),
            o.epochs(),
            schedule.warmupSteps()));

    log.accept(GlibcMalloc.returnLargeBlocksToTheSystem());
    try (NDManager manager = NDManager.newBaseManager();
        OpLibrary ops = OpLibrary.load(manager)) {
      boolean gpu = manager.getDevice().isGpu();
      Precision precision = o.precisionOn(gpu);
      if (gpu) {
        CudaMatmul.allowTf32(o.tf32());
      }
      log.accept(
          "device "
              + manager.getDevice()
              + ", precision "
              + precision.flag()
              + (precision == Precision.BF16
                  ? " (bf16 matmuls and attention; float32 master weights, AdamW state, norms and"
                      + " loss)"
                  : gpu && o.tf32() ? " (TF32 matmuls)" : ""));
      VerifierWeights weights = new VerifierWeights(verifier);
      long[] draftIds = mapping.isFull() ? null : mapping.verifierIds();
      Map<String, NDArray> params =
          DraftInitializer.initialize(
              manager, config, dataset.auxLayerCount(), weights, draftIds, o.seed());
      List<String> trainable =
          List.copyOf(DraftInitializer.trainableNames(config, o.trainLmHead()));
      Optional<Path> latest = o.resume() ? Checkpoints.latest(checkpoints) : Optional.empty();
      Checkpoints.Loaded resumed = null;
      if (latest.isPresent()) {
        resumed = Checkpoints.read(latest.get());
        if (!fingerprint.equals(resumed.state().runFingerprint())) {
          throw new IllegalStateException(
              "checkpoint "
                  + latest.get()
                  + " belongs to a run with other data or model settings; use another --output or"
                  + " --no-resume-from-checkpoint");
        }
        for (String name : trainable) {
          HostTensor v = resumed.masterWeights().get(name);
          if (v == null) {
            throw new IllegalStateException(latest.get() + " has no weights for " + name);
          }
          NDArray fresh = params.get(name);
          if (!java.util.Arrays.equals(v.shape(), fresh.getShape().getShape())) {
            throw new IllegalStateException(
                latest.get() + " holds " + name + " with another shape than the model's");
          }
          params.put(name, Tensors.toNDArray(manager, v));
          fresh.close();
        }
        log.accept(
            "resuming from "
                + latest.get()
                + " (global step "
                + resumed.state().globalStep()
                + ")");
      }
      TttAttention attention =
          o.denseAttention() ? new DenseMaskTttAttention() : new FusedTttAttention(ops, precision);
      Eagle3DraftModel model =
          new Eagle3DraftModel(
              config,
              params,
              new java.util.HashSet<>(trainable),
              mapping.isFull() ? null : mapping.d2t(),
              attention,
              LinearOps.of(precision, ops));
      Map<String, NDArray> trainableParams = new LinkedHashMap<>();
      for (String name : model.trainableNames()) {
        trainableParams.put(name, params.get(name));
      }
      // the verifier's tensors were read through file mappings that Java unmaps only when the
      // collector finds them dead, and training allocates too little on the heap to collect
      // soon: without this the verifier's embedding and head (2 GiB for a Llama-3-8B) would stay
      // resident as file pages for much of the run
      System.gc();
      try (AdamW adamw = AdamW.withTorchDefaults(trainableParams, o.weightDecay())) {
        TrainerState state =
            new TrainerState(
                0, 0, false, 0, Double.NaN, Double.NaN, Double.POSITIVE_INFINITY, -1, fingerprint);
        if (resumed != null) {
          adamw.restore(resumed.optimizerStep(), resumed.expAvg(), resumed.expAvgSq());
          state = resumed.state();
        }
        return loop(
            manager,
            model,
            adamw,
            trainableParams,
            data,
            schedule,
            totalSteps,
            speculatorConfig,
            mapping,
            checkpoints,
            state,
            start);
      }
    }
  }

  private Summary loop(
      NDManager manager,
      Eagle3DraftModel model,
      AdamW adamw,
      Map<String, NDArray> trainableParams,
      TrainingData data,
      LearningRateSchedule schedule,
      long totalSteps,
      ObjectNode speculatorConfig,
      VocabMapping mapping,
      Path checkpoints,
      TrainerState state,
      long start)
      throws IOException {
    long[] d2t = mapping.isFull() ? null : mapping.d2t();
    boolean[] t2d = mapping.isFull() ? null : mapping.t2d();
    long globalStep = state.globalStep();
    long firstStep = globalStep;
    int epoch = state.resumeEpoch();
    long skip = state.resumeStepInEpoch();
    double bestVal = state.bestValLoss();
    int bestEpoch = state.bestEpoch();
    Path lastCheckpoint = null;
    double lastTrain = Double.NaN;
    double lastVal = Double.NaN;
    double[] lastFull = new double[0];
    double[] lastCond = new double[0];
    long tokens = 0;
    int stepsPerEpoch = data.trainStepsPerEpoch(Math.min(epoch, o.epochs() - 1));
    boolean interrupted = false;
    Path metricsFile = o.output().resolve("metrics.jsonl");

    for (; epoch < o.epochs() && globalStep < totalSteps; epoch++) {
      stepsPerEpoch = data.trainStepsPerEpoch(epoch);
      RunningMean trainMean = new RunningMean(o.tttSteps());
      long stepInEpoch = skip;
      long intervalTokens = 0;
      long intervalStart = System.nanoTime();
      try (RowLoader rows = data.trainRows(epoch, (int) skip)) {
        while (rows.hasNext() && globalStep < totalSteps) {
          PackedRow row = rows.next();
          TttResult r;
          try (NDManager step = manager.newSubManager()) {
            adamw.zeroGrad();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
              r =
                  model.forward(
                      row.toBatch(step), o.tttSteps(), o.tttStepLossDecay(), o.tttInputs(), false);
              gc.backward(r.loss());
            }
          }
          double loss = r.lossValue();
          if (!Double.isFinite(loss)) {
            throw new IllegalStateException(
                "loss is "
                    + loss
                    + " at epoch "
                    + epoch
                    + " step "
                    + stepInEpoch
                    + " (rows of samples "
                    + java.util.Arrays.toString(row.samples())
                    + ")");
          }
          double norm = GradientClipping.clipGlobalNorm(trainableParams.values(), o.gradClip());
          double lr = schedule.lr(globalStep);
          adamw.step(lr);
          globalStep++;
          stepInEpoch++;
          tokens += row.tokens();
          intervalTokens += row.tokens();
          trainMean.add(r);
          appendMetrics(
              metricsFile, metricsLine("train", epoch, stepInEpoch, globalStep, r, lr, norm));
          if (stepInEpoch % o.logEvery() == 0 || stepInEpoch == stepsPerEpoch) {
            double seconds = (System.nanoTime() - intervalStart) / 1e9;
            double tps = intervalTokens / Math.max(seconds, 1e-9);
            double elapsed = (System.nanoTime() - start) / 1e9;
            double eta =
                elapsed / Math.max(1, globalStep - state.globalStep()) * (totalSteps - globalStep);
            progress(
                epoch,
                stepInEpoch,
                stepsPerEpoch,
                globalStep,
                totalSteps,
                r,
                lr,
                tps,
                eta,
                elapsed);
            intervalTokens = 0;
            intervalStart = System.nanoTime();
          }
          if (stopRequested.get()) {
            TrainerState s =
                new TrainerState(
                    epoch,
                    stepInEpoch,
                    false,
                    globalStep,
                    trainMean.loss(),
                    Double.NaN,
                    bestVal,
                    bestEpoch,
                    state.runFingerprint());
            lastCheckpoint =
                Checkpoints.write(
                    checkpoints, "step-" + globalStep, speculatorConfig, model, d2t, t2d, adamw, s);
            log.accept("stop requested: saved " + lastCheckpoint + "; rerun to resume");
            interrupted = true;
            break;
          }
        }
      }
      if (interrupted) {
        lastTrain = trainMean.loss();
        break;
      }
      skip = 0;
      lastTrain = trainMean.loss();
      RunningMean val = validate(manager, model, data, epoch);
      lastVal = val.count() == 0 ? Double.NaN : val.loss();
      lastFull = val.count() == 0 ? trainMean.fullAcc() : val.fullAcc();
      lastCond = val.count() == 0 ? trainMean.condAcc() : val.condAcc();
      if (val.count() > 0) {
        appendMetrics(metricsFile, validationLine(epoch, globalStep, val));
      }
      double selection = val.count() == 0 ? lastTrain : lastVal;
      boolean best = selection < bestVal;
      if (best) {
        bestVal = selection;
        bestEpoch = epoch;
      }
      TrainerState s =
          new TrainerState(
              epoch,
              stepInEpoch,
              true,
              globalStep,
              lastTrain,
              lastVal,
              bestVal,
              bestEpoch,
              state.runFingerprint());
      lastCheckpoint =
          Checkpoints.write(
              checkpoints, Integer.toString(epoch), speculatorConfig, model, d2t, t2d, adamw, s);
      log.accept(
          String.format(
              Locale.ROOT,
              "epoch %d/%d done: train loss %.4f, validation loss %s, full acc %s%s → %s",
              epoch + 1,
              o.epochs(),
              lastTrain,
              Double.isNaN(lastVal) ? "n/a" : String.format(Locale.ROOT, "%.4f", lastVal),
              format(lastFull),
              best ? " (best)" : "",
              lastCheckpoint));
    }
    Path finalDir = null;
    if (!interrupted) {
      Path source =
          bestEpoch >= 0 ? checkpoints.resolve(Integer.toString(bestEpoch)) : lastCheckpoint;
      if (source == null || !Files.isDirectory(source)) {
        source = Checkpoints.latest(checkpoints).orElse(null);
      }
      if (source != null) {
        finalDir = exportFinal(source);
      }
      if (lastCheckpoint == null && source != null) {
        lastCheckpoint = source;
        TrainerState s = Checkpoints.readState(source);
        lastTrain = s.trainLoss();
        lastVal = s.valLoss();
      }
    }
    double wall = (System.nanoTime() - start) / 1e9;
    int completed = interrupted ? epoch : Math.min(epoch, o.epochs());
    return new Summary(
        completed,
        o.epochs(),
        globalStep,
        stepsPerEpoch,
        lastTrain,
        lastVal,
        lastFull,
        lastCond,
        bestEpoch,
        lastCheckpoint,
        finalDir,
        interrupted,
        tokens,
        globalStep - firstStep,
        wall);
  }

  private RunningMean validate(
      NDManager manager, Eagle3DraftModel model, TrainingData data, int epoch) {
    RunningMean mean = new RunningMean(o.validationTttSteps());
    if (data.split().validation().isEmpty()) {
      return mean;
    }
    try (RowLoader rows = data.validationRows(epoch)) {
      while (rows.hasNext()) {
        PackedRow row = rows.next();
        try (NDManager step = manager.newSubManager()) {
          // upstream validates with the draft's own tokens whatever the training inputs
          mean.add(
              model.forward(
                  row.toBatch(step),
                  o.validationTttSteps(),
                  o.tttStepLossDecay(),
                  TttInputs.DRAFT,
                  false));
        }
      }
    }
    return mean;
  }

  /** final/ = the servable files of the selected checkpoint, published atomically. */
  private Path exportFinal(Path checkpoint) throws IOException {
    Path target = o.output().resolve("final");
    AtomicFiles.writeDirectory(
        target,
        tmp -> {
          Files.copy(checkpoint.resolve(Checkpoints.CONFIG), tmp.resolve(Checkpoints.CONFIG));
          Files.copy(checkpoint.resolve(Checkpoints.MODEL), tmp.resolve(Checkpoints.MODEL));
        });
    log.accept("speculator written to " + target + " (from " + checkpoint + ")");
    return target;
  }

  /**
   * The draft vocabulary: the given mapping files ({@code --d2t-path/--t2d-path}), else reused from
   * {@code <output>/vocab} when present, else built from the token frequencies.
   */
  private VocabMapping vocabulary(SpeculatorsDataset dataset, int verifierVocab)
      throws IOException {
    Path dir = o.output().resolve("vocab");
    if (o.d2tPath() != null) {
      VocabMapping given =
          VocabMapping.read(o.d2tPath(), o.t2dPath())
              .requireSizes(verifierVocab, o.draftVocabSize(), o.d2tPath() + " / " + o.t2dPath());
      if (!VocabMapping.existsIn(dir) || !VocabMapping.read(dir).equals(given)) {
        given.write(dir);
      }
      log.accept(
          "vocabulary mapping: "
              + given.draftVocabSize()
              + " of "
              + verifierVocab
              + " tokens from "
              + o.d2tPath()
              + " and "
              + o.t2dPath());
      return given;
    }
    int wanted =
        o.draftVocabSize() <= 0 ? verifierVocab : Math.min(o.draftVocabSize(), verifierVocab);
    if (wanted == verifierVocab) {
      return VocabMapping.full(verifierVocab);
    }
    if (VocabMapping.existsIn(dir)) {
      VocabMapping existing = VocabMapping.read(dir);
      if (existing.draftVocabSize() == wanted && existing.targetVocabSize() == verifierVocab) {
        return existing;
      }
      log.accept("vocab/ holds a mapping for another size; rebuilding it");
    }
    Map<Long, Long> freq = dataset.readTokenFrequencies();
    VocabMapping mapping = VocabMapping.fromFrequencies(freq, wanted, verifierVocab);
    mapping.write(dir);
    log.accept(
        "vocabulary mapping: "
            + wanted
            + " of "
            + verifierVocab
            + " tokens from "
            + freq.size()
            + " observed ids → "
            + dir);
    return mapping;
  }

  private String fingerprint(
      SpeculatorsDataset dataset, DraftConfig config, int[] auxIds, VocabMapping mapping) {
    String key =
        String.join(
            "|",
            Integer.toString(dataset.size()),
            Integer.toString(dataset.hiddenSize()),
            config.toString(),
            java.util.Arrays.toString(auxIds),
            Integer.toString(o.totalSeqLen()),
            Long.toString(o.seed()),
            Double.toString(o.validationRatio()),
            Integer.toString(o.epochs()),
            Double.toString(o.learningRate()),
            o.scheduler().name(),
            Boolean.toString(o.trainLmHead()));
    if (o.d2tPath() != null) {
      // a given mapping may change between runs of the same output; a built one follows the data
      key += "|vocab " + java.util.Arrays.hashCode(mapping.verifierIds());
    }
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void progress(
      int epoch,
      long step,
      int stepsPerEpoch,
      long globalStep,
      long totalSteps,
      TttResult r,
      double lr,
      double tokensPerSecond,
      double etaSeconds,
      double elapsedSeconds) {
    log.accept(
        String.format(
            Locale.ROOT,
            "epoch %d/%d step %d/%d loss %.4f acc %s lr %.3g tok/s %.0f eta %s",
            epoch + 1,
            o.epochs(),
            step,
            stepsPerEpoch,
            r.lossValue(),
            format(r.fullAccuracy()),
            lr,
            tokensPerSecond,
            duration(etaSeconds)));
    ObjectNode p = JSON.createObjectNode();
    p.put("kind", "train");
    p.put("epoch", epoch + 1);
    p.put("epochs", o.epochs());
    p.put("step", step);
    p.put("stepsPerEpoch", stepsPerEpoch);
    p.put("globalStep", globalStep);
    p.put("totalSteps", totalSteps);
    p.put("loss", round(r.lossValue()));
    p.put("tokensPerSecond", Math.round(tokensPerSecond));
    p.put("elapsedSeconds", Math.round(elapsedSeconds));
    p.put("etaSeconds", Math.round(etaSeconds));
    log.accept(ProgressLine.format(p));
  }

  private ObjectNode metricsLine(
      String kind, int epoch, long step, long globalStep, TttResult r, double lr, double gradNorm) {
    ObjectNode n = JSON.createObjectNode();
    n.put("type", kind);
    n.put("epoch", epoch);
    n.put("step", step);
    n.put("global_step", globalStep);
    n.put("loss", r.lossValue());
    for (int k = 0; k < r.stepLosses().length; k++) {
      n.put("loss_" + k, r.stepLosses()[k]);
      n.put("full_acc_" + k, r.fullAccuracy()[k]);
      n.put("cond_acc_" + k, r.conditionalAccuracy()[k]);
    }
    n.put("lr", lr);
    n.put("grad_norm", gradNorm);
    return n;
  }

  private ObjectNode validationLine(int epoch, long globalStep, RunningMean val) {
    ObjectNode n = JSON.createObjectNode();
    n.put("type", "val");
    n.put("epoch", epoch);
    n.put("global_step", globalStep);
    n.put("loss_epoch", val.loss());
    ArrayNode full = n.putArray("full_acc_epoch");
    for (double v : val.fullAcc()) {
      full.add(v);
    }
    ArrayNode cond = n.putArray("cond_acc_epoch");
    for (double v : val.condAcc()) {
      cond.add(v);
    }
    return n;
  }

  private static void appendMetrics(Path file, ObjectNode line) throws IOException {
    Files.writeString(
        file,
        JSON.writeValueAsString(line) + "\n",
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  static String format(double[] v) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      sb.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.3f", v[i]));
    }
    return sb.append(']').toString();
  }

  static double round(double v) {
    return Math.round(v * 1e4) / 1e4;
  }

  static String duration(double seconds) {
    long s = Math.max(0, Math.round(seconds));
    return String.format(Locale.ROOT, "%02d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
  }

  /** Mean of per-row loss and accuracies, like upstream's epoch metrics. */
  static final class RunningMean {
    private final double[] full;
    private final double[] cond;
    private double loss;
    private int count;

    RunningMean(int steps) {
      full = new double[steps];
      cond = new double[steps];
    }

    void add(TttResult r) {
      count++;
      loss += (r.lossValue() - loss) / count;
      for (int k = 0; k < full.length && k < r.fullAccuracy().length; k++) {
        full[k] += (r.fullAccuracy()[k] - full[k]) / count;
        cond[k] += (r.conditionalAccuracy()[k] - cond[k]) / count;
      }
    }

    int count() {
      return count;
    }

    double loss() {
      return count == 0 ? Double.NaN : loss;
    }

    double[] fullAcc() {
      return full.clone();
    }

    double[] condAcc() {
      return cond.clone();
    }
  }
}
