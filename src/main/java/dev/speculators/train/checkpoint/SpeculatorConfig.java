package dev.speculators.train.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.BuildInfo;
import dev.speculators.train.model.DraftConfig;
import dev.speculators.train.model.RopeConfig;
import java.util.List;

/**
 * The speculators-format {@code config.json} that vLLM reads (eagle3-spec §7, interfaces §1.3).
 *
 * <p>Deliberate differences from upstream v0.4: {@code eagle_aux_hidden_state_layer_ids} is always
 * written (3 aux ids in vLLM's "input of layer k" numbering — without it vLLM silently falls back
 * to its defaults), the verifier's RoPE settings are copied into {@code transformer_layer_config},
 * {@code verifier.architectures} is filled in, and there is no {@code dtype}/{@code torch_dtype}
 * claiming float32 over bf16 tensors. There is never a top-level {@code model_type} (vLLM would
 * then not recognise the speculators format).
 */
public final class SpeculatorConfig {
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private SpeculatorConfig() {}

  /**
   * @param verifierNameOrPath what vLLM should load as the verifier (HF id or path)
   * @param verifierArchitectures the verifier's {@code architectures}
   * @param auxLayerIds exactly the aux layer ids, vLLM numbering, never the final layer
   * @param speculativeTokens default number of speculative tokens (training's TTT steps)
   */
  public static ObjectNode build(
      DraftConfig c,
      String verifierNameOrPath,
      List<String> verifierArchitectures,
      int[] auxLayerIds,
      int speculativeTokens,
      int maxPositionEmbeddings) {
    ObjectNode root = JSON.createObjectNode();
    root.putArray("architectures").add("Eagle3Speculator");
    root.put("draft_vocab_size", c.draftVocabSize());
    ArrayNode ids = root.putArray("eagle_aux_hidden_state_layer_ids");
    for (int id : auxLayerIds) {
      ids.add(id);
    }
    root.put("norm_before_residual", c.normBeforeResidual());
    root.put("speculators_model_type", "eagle3");
    root.put("speculators_version", "speculators-operator " + BuildInfo.version());
    root.putNull("target_hidden_size");

    ObjectNode spec = root.putObject("speculators_config");
    spec.put("algorithm", "eagle3");
    spec.put("default_proposal_method", "greedy");
    ObjectNode proposal = spec.putArray("proposal_methods").addObject();
    proposal.put("accept_tolerance", 0.0);
    proposal.put("proposal_type", "greedy");
    proposal.put("speculative_tokens", speculativeTokens);
    proposal.put("verifier_accept_k", 1);
    ObjectNode verifier = spec.putObject("verifier");
    ArrayNode arch = verifier.putArray("architectures");
    verifierArchitectures.forEach(arch::add);
    verifier.put("name_or_path", verifierNameOrPath);

    ObjectNode layer = root.putObject("transformer_layer_config");
    layer.put("model_type", "llama");
    layer.put("attention_bias", false);
    layer.put("attention_dropout", 0.0);
    layer.put("head_dim", c.headDim());
    layer.put("hidden_act", "silu");
    layer.put("hidden_size", c.hiddenSize());
    layer.put("initializer_range", 0.02);
    layer.put("intermediate_size", c.intermediateSize());
    layer.put("max_position_embeddings", maxPositionEmbeddings);
    layer.put("mlp_bias", false);
    layer.put("num_attention_heads", c.numAttentionHeads());
    layer.put("num_hidden_layers", c.numLayers());
    layer.put("num_key_value_heads", c.numKeyValueHeads());
    layer.put("rms_norm_eps", c.rmsNormEps());
    layer.put("rope_theta", c.rope().theta());
    layer.set("rope_scaling", ropeScaling(c.rope()));
    layer.put("tie_word_embeddings", false);
    layer.put("vocab_size", c.vocabSize());
    return root;
  }

  private static JsonNode ropeScaling(RopeConfig r) {
    if (r.isPlain()) {
      return JSON.nullNode();
    }
    ObjectNode n = JSON.createObjectNode();
    n.put("rope_type", r.type());
    n.put("factor", r.factor());
    if (r.type().equals("llama3")) {
      n.put("low_freq_factor", r.lowFreqFactor());
      n.put("high_freq_factor", r.highFreqFactor());
      n.put("original_max_position_embeddings", r.originalMaxPositionEmbeddings());
    }
    return n;
  }

  /** Pretty JSON with sorted keys, like upstream's writer. */
  public static String toJson(JsonNode config) {
    try {
      Object sorted = JSON.treeToValue(config, Object.class);
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(sorted) + "\n";
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads the draft shape back from a config written by {@link #build}. */
  public static DraftConfig draftConfig(JsonNode root, double verifierRmsNormEps) {
    JsonNode l = root.get("transformer_layer_config");
    RopeConfig rope =
        RopeConfig.fromHf(l.path("rope_theta").asDouble(10000.0), l.get("rope_scaling"))
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "unsupported rope_scaling " + l.get("rope_scaling")));
    int heads = l.get("num_attention_heads").asInt();
    return new DraftConfig(
        l.get("hidden_size").asInt(),
        l.get("intermediate_size").asInt(),
        heads,
        l.path("num_key_value_heads").asInt(heads),
        l.path("head_dim").asInt(l.get("hidden_size").asInt() / heads),
        l.get("num_hidden_layers").asInt(),
        l.get("vocab_size").asInt(),
        root.path("draft_vocab_size").asInt(l.get("vocab_size").asInt()),
        l.path("rms_norm_eps").asDouble(1e-6),
        verifierRmsNormEps,
        rope,
        root.path("norm_before_residual").asBoolean(true));
  }
}
