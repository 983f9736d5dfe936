package dev.speculators.train.model;

/**
 * Shape and numerics of an EAGLE3 draft model. Field names follow the Hugging Face Llama config
 * that the exported {@code transformer_layer_config} carries.
 *
 * @param hiddenSize H, equal to the verifier's hidden size
 * @param intermediateSize I, SwiGLU width
 * @param numAttentionHeads nh
 * @param numKeyValueHeads nkv (grouped-query attention when smaller than nh)
 * @param headDim hd
 * @param numLayers draft decoder layers; layer 0 reads the 2H concatenation of embedding and hidden
 * @param vocabSize V, the verifier vocabulary (embedding rows)
 * @param draftVocabSize Vd, rows of {@code lm_head}
 * @param rmsNormEps epsilon of every draft RMSNorm
 * @param verifierRmsNormEps epsilon of the verifier's final norm, applied to the stored last layer
 * @param rope rotary embedding settings of the draft
 * @param normBeforeResidual layer 0 takes its residual after {@code hidden_norm} when true
 */
public record DraftConfig(
    int hiddenSize,
    int intermediateSize,
    int numAttentionHeads,
    int numKeyValueHeads,
    int headDim,
    int numLayers,
    int vocabSize,
    int draftVocabSize,
    double rmsNormEps,
    double verifierRmsNormEps,
    RopeConfig rope,
    boolean normBeforeResidual) {

  public DraftConfig {
    if (numAttentionHeads % numKeyValueHeads != 0) {
      throw new IllegalArgumentException(
          "num_attention_heads ("
              + numAttentionHeads
              + ") must be a multiple of num_key_value_heads ("
              + numKeyValueHeads
              + ")");
    }
    if (numLayers < 1) {
      throw new IllegalArgumentException("num_hidden_layers must be >= 1, got " + numLayers);
    }
    if (draftVocabSize < 1 || draftVocabSize > vocabSize) {
      throw new IllegalArgumentException(
          "draft_vocab_size must be in [1, " + vocabSize + "], got " + draftVocabSize);
    }
  }

  /** True when the draft vocabulary is the whole verifier vocabulary (no d2t/t2d mapping). */
  public boolean fullVocabulary() {
    return draftVocabSize == vocabSize;
  }
}
