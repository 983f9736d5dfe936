package dev.speculators.train.bench;

/**
 * The benchmark's model and data: a Llama-like verifier ({@code hidden}, {@code heads}, {@code
 * kvHeads}, {@code intermediate}, {@code vocab}), a one-layer draft with {@code draftVocab} tokens,
 * {@code samples} samples of {@code sampleLength} tokens with four captured layers, packed into
 * rows of {@code seqLen} tokens, {@code tttSteps} training-time-test steps.
 */
public record BenchShape(
    int hidden,
    int heads,
    int kvHeads,
    int intermediate,
    int vocab,
    int draftVocab,
    int samples,
    int sampleLength,
    int seqLen,
    int tttSteps) {

  public BenchShape {
    if (hidden % heads != 0 || heads % kvHeads != 0) {
      throw new IllegalArgumentException(
          "--hidden must be a multiple of --heads, and --heads of --kv-heads");
    }
    if (sampleLength < 2 || samples < 1 || seqLen < 2 || tttSteps < 1) {
      throw new IllegalArgumentException(
          "--samples, --sample-len, --seq-len and --ttt-steps must be positive (--sample-len >= 2)");
    }
  }

  /** Rows of one epoch when every row holds as many whole samples as fit. */
  public int rows() {
    int perRow = Math.max(1, seqLen / (sampleLength - 1));
    return samples / perRow;
  }
}
