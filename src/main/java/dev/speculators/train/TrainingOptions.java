package dev.speculators.train;

import dev.speculators.train.data.HiddenStatesOptions;
import dev.speculators.train.model.Precision;
import dev.speculators.train.model.TttInputs;
import dev.speculators.train.optim.LearningRateSchedule;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything one training run needs. Defaults follow upstream {@code scripts/train.py} v0.4 except
 * where noted in the {@code train} command's help.
 *
 * @param verifier local HF directory of the verifier (config.json, safetensors)
 * @param verifierName name written to the exported config (what vLLM loads as the verifier)
 * @param data dataset root or its {@code data/} directory
 * @param tokenFrequencies explicit {@code token_freq.pt}, or null to find it next to the data
 * @param hiddenStates where a speculators 0.5+ dataset's hidden states are and what to do about
 *     rows without them (upstream {@code --hidden-states-path}, {@code --on-missing}); null for the
 *     defaults
 * @param d2tPath a precomputed vocabulary mapping's {@code d2t.npy} (upstream {@code --d2t-path}),
 *     or null to build the mapping from the token frequencies; given together with {@code t2dPath}
 * @param t2dPath the same mapping's {@code t2d.npy} ({@code --t2d-path}), or null
 * @param targetLayerIds the verifier layers the auxiliary hidden states were captured at, in vLLM
 *     numbering without the final layer (upstream {@code --target-layer-ids}), or null to take them
 *     from the dataset or upstream's defaults
 * @param output run directory: vocab/, checkpoints/, final/, metrics.jsonl
 * @param maxSteps stop after this many optimizer steps in total (0 = no limit)
 * @param precision compute precision, or null for the device's default (bf16 on a GPU, fp32 on a
 *     CPU)
 * @param tf32 let float32 matrix products on CUDA use TensorFloat-32 (no effect on a CPU)
 */
public record TrainingOptions(
    Path verifier,
    String verifierName,
    Path data,
    Path tokenFrequencies,
    HiddenStatesOptions hiddenStates,
    Path d2tPath,
    Path t2dPath,
    List<Integer> targetLayerIds,
    Path output,
    int epochs,
    double learningRate,
    double weightDecay,
    LearningRateSchedule.Kind scheduler,
    long warmupSteps,
    double warmupRatio,
    int totalSeqLen,
    int tttSteps,
    int validationTttSteps,
    double tttStepLossDecay,
    TttInputs tttInputs,
    int numLayers,
    int draftVocabSize,
    boolean normBeforeResidual,
    boolean trainLmHead,
    double noiseStd,
    double gradClip,
    long seed,
    double validationRatio,
    int logEvery,
    boolean resume,
    boolean denseAttention,
    int prefetchRows,
    int loaderThreads,
    long maxSteps,
    boolean saveEmbedTokens,
    Precision precision,
    boolean tf32) {

  public TrainingOptions {
    hiddenStates = hiddenStates == null ? HiddenStatesOptions.DEFAULTS : hiddenStates;
    require(
        (d2tPath == null) == (t2dPath == null),
        "--d2t-path and --t2d-path go together: give both or neither (got only "
            + (d2tPath != null ? "--d2t-path" : "--t2d-path")
            + ")");
    targetLayerIds = targetLayerIds == null ? null : List.copyOf(targetLayerIds);
    require(epochs >= 1, "--epochs must be >= 1");
    require(learningRate > 0, "--lr must be > 0");
    require(totalSeqLen >= 2, "--total-seq-len must be >= 2");
    require(tttSteps >= 1, "--ttt-steps must be >= 1");
    require(validationTttSteps >= 1, "--validation-ttt-steps must be >= 1");
    require(tttStepLossDecay > 0, "--ttt-step-loss-decay must be > 0");
    require(numLayers >= 1, "--num-layers must be >= 1");
    require(validationRatio >= 0 && validationRatio < 1, "--validation-ratio must be in [0, 1)");
    require(gradClip > 0, "--grad-clip must be > 0");
    require(logEvery >= 1, "--log-every must be >= 1");
  }

  /** The precision on a device: the one asked for, else bf16 on a GPU and fp32 on a CPU. */
  public Precision precisionOn(boolean gpu) {
    return precision != null ? precision : Precision.defaultFor(gpu);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** Warmup steps for a run of {@code totalSteps}: explicit, else ratio, else upstream's 1%. */
  public long warmupFor(long totalSteps) {
    if (warmupSteps >= 0) {
      return warmupSteps;
    }
    if (warmupRatio >= 0) {
      return (long) Math.floor(totalSteps * warmupRatio);
    }
    return LearningRateSchedule.defaultWarmup(totalSteps);
  }
}
