package dev.speculators.engine.tiny;

/**
 * Shape and training budget of the tiny example target.
 *
 * @param seed seeds the weights and the training conversations
 * @param rowLength tokens per packed training row
 * @param steps optimizer steps (one packed row each)
 * @param evalPrompts held-out questions whose greedy answers are checked at the end
 */
public record TinyModelSettings(
    long seed,
    int hiddenSize,
    int intermediateSize,
    int numLayers,
    int numAttentionHeads,
    int numKeyValueHeads,
    int rowLength,
    int steps,
    double learningRate,
    int evalPrompts) {

  /** The shipped example: 4 layers, hidden 96, 0.45M parameters. */
  public static TinyModelSettings defaults(long seed) {
    return new TinyModelSettings(seed, 96, 256, 4, 4, 2, 512, 2000, 3e-3, 100);
  }

  public TinyModelSettings {
    if (hiddenSize % numAttentionHeads != 0 || (hiddenSize / numAttentionHeads) % 2 != 0) {
      throw new IllegalArgumentException(
          "hidden size "
              + hiddenSize
              + " must split into "
              + numAttentionHeads
              + " heads of even width");
    }
    if (numAttentionHeads % numKeyValueHeads != 0) {
      throw new IllegalArgumentException("attention heads must be a multiple of key/value heads");
    }
    if (steps < 1 || rowLength < 64 || numLayers < 1) {
      throw new IllegalArgumentException("need steps >= 1, rowLength >= 64 and at least one layer");
    }
  }

  public int headDim() {
    return hiddenSize / numAttentionHeads;
  }
}
