package dev.speculators.operator.preflight;

import dev.speculators.io.hf.HfModelDir;

/**
 * What the storage pre-flight needs to know about a target model, from its {@code config.json} (the
 * text model's, for multimodal models).
 *
 * @param hiddenSize hidden_size
 * @param numHiddenLayers num_hidden_layers
 * @param vocabSize vocab_size
 * @param intermediateSize intermediate_size (3H for mixture-of-experts models without one, as the
 *     trainer uses)
 * @param numAttentionHeads num_attention_heads
 * @param numKeyValueHeads num_key_value_heads
 * @param headDim head_dim
 */
public record ModelFacts(
    int hiddenSize,
    int numHiddenLayers,
    int vocabSize,
    int intermediateSize,
    int numAttentionHeads,
    int numKeyValueHeads,
    int headDim) {

  /** The facts of an opened model directory. */
  public static ModelFacts of(HfModelDir m) {
    int h = m.hiddenSize();
    return new ModelFacts(
        h,
        m.numHiddenLayers(),
        m.vocabSize(),
        m.textConfig().hasNonNull("intermediate_size") ? m.intermediateSize() : 3 * h,
        m.numAttentionHeads(),
        m.numKeyValueHeads(),
        m.headDim());
  }
}
