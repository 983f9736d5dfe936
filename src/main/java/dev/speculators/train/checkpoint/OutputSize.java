package dev.speculators.train.checkpoint;

import dev.speculators.train.DraftInitializer;
import java.util.Locale;

/**
 * How many bytes a training writes to its output directory, before it starts: a checkpoint per
 * epoch (all are kept) and the final speculator, from the draft's shape.
 *
 * <pre>
 * trainable = 3H·H (fc) + Σ layers [in·(nh+2·nkv)·hd + nh·hd·H + 3·H·I + 2H (+H, layer 0)] + H
 *             + H·Vd (lm_head, when it trains);   in = 2H for layer 0, else H
 * speculator = 2 · (trainable + H·Vd if lm_head is frozen) + 9 · Vd (d2t int64, t2d bool of V)
 * checkpoint = speculator + 12 · trainable (float32 master weights and both Adam moments)
 * output = epochs · checkpoint + speculator (final/) + vocab files + {@value #METADATA_BYTES}
 * </pre>
 *
 * The model file holds every draft tensor in bf16 except the verifier's (vLLM shares its
 * embedding); the optimizer file what an exact resume needs ({@link Checkpoints}).
 *
 * @param hiddenSize H
 * @param intermediateSize I
 * @param numAttentionHeads nh
 * @param numKeyValueHeads nkv
 * @param headDim hd
 * @param numLayers draft decoder layers
 * @param vocabSize V, the verifier's vocabulary
 * @param draftVocabSize Vd
 * @param auxLayers verifier layers concatenated into fc's input (the captured ids but the last)
 * @param trainLmHead whether lm_head trains
 * @param epochs epochs, one checkpoint each
 */
public record OutputSize(
    int hiddenSize,
    int intermediateSize,
    int numAttentionHeads,
    int numKeyValueHeads,
    int headDim,
    int numLayers,
    int vocabSize,
    int draftVocabSize,
    int auxLayers,
    boolean trainLmHead,
    int epochs) {

  /**
   * config.json, trainer_state.json and the safetensors headers of each checkpoint, metrics.jsonl:
   * a few hundred KiB for thousands of steps, next to gigabytes of weights.
   */
  static final int METADATA_BYTES = 256 << 10;

  /** Parameters that train (the names {@link DraftInitializer#trainableNames} lists). */
  public long trainableParameters() {
    long h = hiddenSize;
    long q = (long) numAttentionHeads * headDim;
    long kv = (long) numKeyValueHeads * headDim;
    long n = auxLayers * h * h + h; // fc, final norm
    for (int i = 0; i < numLayers; i++) {
      long in = i == 0 ? 2 * h : h;
      n += in * (q + 2 * kv) + q * h + 3 * h * intermediateSize + 2 * h + (i == 0 ? h : 0);
    }
    if (trainLmHead) {
      n += h * draftVocabSize;
    }
    return n;
  }

  private long vocabMapBytes() {
    return draftVocabSize == vocabSize ? 0 : 8L * draftVocabSize + vocabSize;
  }

  /** The servable speculator: bf16 weights and the vocabulary maps. */
  public long speculatorBytes() {
    long params = trainableParameters() + (trainLmHead ? 0 : (long) hiddenSize * draftVocabSize);
    return 2 * params + vocabMapBytes();
  }

  /** One checkpoint: the speculator plus float32 master weights and Adam moments. */
  public long checkpointBytes() {
    return speculatorBytes() + 12 * trainableParameters();
  }

  /** The whole output directory. */
  public long bytes() {
    return (long) epochs * checkpointBytes() + speculatorBytes() + vocabMapBytes() + METADATA_BYTES;
  }

  /** How the estimate was made, for messages. */
  public String describe() {
    return String.format(
        Locale.ROOT,
        "%d checkpoints of %.1f M trainable parameters with Adam state, and the final speculator",
        epochs,
        trainableParameters() / 1e6);
  }
}
