package dev.speculators.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.speculators.io.hf.HfModelDir;
import dev.speculators.train.model.RopeConfig;
import java.util.List;

/**
 * The shape and numerics of a target model, read from its {@code config.json} (its {@code
 * text_config} for multimodal models). Options the reference engine does not implement (biases,
 * sliding windows, other activations or RoPE scalings) are rejected here with the field named,
 * rather than computed wrongly.
 *
 * @param eosTokenIds every id that ends a generation (config and generation config)
 */
public record TargetConfig(
    TargetArchitecture architecture,
    int hiddenSize,
    int intermediateSize,
    int numLayers,
    int numAttentionHeads,
    int numKeyValueHeads,
    int headDim,
    int vocabSize,
    double rmsNormEps,
    RopeConfig rope,
    boolean tieWordEmbeddings,
    List<Long> eosTokenIds) {

  public TargetConfig {
    eosTokenIds = List.copyOf(eosTokenIds);
    if (numAttentionHeads % numKeyValueHeads != 0) {
      throw new IllegalArgumentException(
          "num_attention_heads ("
              + numAttentionHeads
              + ") must be a multiple of num_key_value_heads ("
              + numKeyValueHeads
              + ")");
    }
    if (headDim % 2 != 0) {
      throw new IllegalArgumentException(
          "head_dim must be even for rotary embeddings, got " + headDim);
    }
  }

  /** Reads and checks a model directory's configuration. */
  public static TargetConfig of(HfModelDir dir) {
    String where = dir.dir().resolve("config.json") + ": ";
    JsonNode c = dir.textConfig();
    TargetArchitecture arch;
    try {
      arch = TargetArchitecture.of(dir.textConfig().path("model_type").asText(dir.modelType()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + e.getMessage(), e);
    }
    String act = c.path("hidden_act").asText("silu");
    if (!act.equals("silu")) {
      throw new IllegalArgumentException(
          where + "hidden_act '" + act + "' is not supported (silu only)");
    }
    for (String flag : List.of("attention_bias", "mlp_bias")) {
      if (c.path(flag).asBoolean(false)) {
        throw new IllegalArgumentException(
            where + flag + "=true is not supported by the reference engine");
      }
    }
    if (c.path("use_sliding_window").asBoolean(false)) {
      throw new IllegalArgumentException(
          where + "use_sliding_window=true is not supported by the reference engine");
    }
    JsonNode layerTypes = c.get("layer_types");
    if (layerTypes != null && layerTypes.isArray()) {
      for (JsonNode t : layerTypes) {
        if (!t.asText().equals("full_attention")) {
          throw new IllegalArgumentException(
              where
                  + "layer_types contains '"
                  + t.asText()
                  + "'; only full_attention is supported");
        }
      }
    }
    RopeConfig rope =
        RopeConfig.fromHf(dir.ropeTheta(), dir.ropeScaling())
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        where
                            + "rope scaling "
                            + dir.ropeScaling()
                            + " is not supported (default, linear, llama3)"));
    return new TargetConfig(
        arch,
        dir.hiddenSize(),
        dir.intermediateSize(),
        dir.numHiddenLayers(),
        dir.numAttentionHeads(),
        dir.numKeyValueHeads(),
        dir.headDim(),
        dir.vocabSize(),
        dir.rmsNormEps(),
        rope,
        dir.tieWordEmbeddings(),
        dir.eosTokenIds());
  }

  /** vLLM's default EAGLE3 aux layers {@code (2, N/2, N-3)} for this model. */
  public int[] defaultAuxLayerIds() {
    int n = numLayers;
    return new int[] {Math.min(2, n), n / 2, Math.max(0, n - 3)};
  }

  public boolean isEos(long token) {
    return eosTokenIds.contains(token);
  }
}
