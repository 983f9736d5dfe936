package dev.speculators.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speculators.io.HostTensor;
import dev.speculators.io.SafeTensors;
import dev.speculators.io.SafeTensorsFile;
import dev.speculators.io.hf.HfModelDir;
import dev.speculators.train.DraftInitializer;
import dev.speculators.train.Tensors;
import dev.speculators.train.VerifierWeights;
import dev.speculators.train.checkpoint.SpeculatorConfig;
import dev.speculators.train.model.CausalDecodeAttention;
import dev.speculators.train.model.DraftConfig;
import dev.speculators.train.model.Eagle3DraftModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An EAGLE3 draft ready for inference next to a target: the model, the target layers whose hidden
 * states feed its {@code fc} (vLLM ids), and the manager that owns its weights. The draft's token
 * embedding is the target's when the speculator does not carry its own, as in vLLM.
 */
public final class Speculator implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Eagle3DraftModel model;
  private final int[] auxLayerIds;
  private final String description;
  private final NDManager manager;

  private Speculator(
      Eagle3DraftModel model, int[] auxLayerIds, String description, NDManager manager) {
    this.model = model;
    this.auxLayerIds = auxLayerIds.clone();
    this.description = description;
    this.manager = manager;
  }

  public Eagle3DraftModel model() {
    return model;
  }

  /** Target layer ids (vLLM semantics) concatenated, in order, into the draft's {@code fc}. */
  public int[] auxLayerIds() {
    return auxLayerIds.clone();
  }

  public String description() {
    return description;
  }

  /**
   * Loads a speculator directory ({@code config.json} + {@code model.safetensors}, as {@code train}
   * writes to {@code final/}) for a target.
   *
   * @throws IOException when the files are missing or do not fit the target, naming what is wrong
   */
  public static Speculator load(Path dir, ReferenceModel target) throws IOException {
    Path configFile = dir.resolve("config.json");
    Path weightsFile = dir.resolve("model.safetensors");
    for (Path p : List.of(configFile, weightsFile)) {
      if (!Files.isRegularFile(p)) {
        throw new IOException("speculator " + dir + ": no " + p.getFileName());
      }
    }
    JsonNode root = JSON.readTree(configFile.toFile());
    String where = configFile + ": ";
    if (!"eagle3".equals(root.path("speculators_model_type").asText())) {
      throw new IOException(
          where
              + "speculators_model_type is '"
              + root.path("speculators_model_type").asText()
              + "'; the reference engine runs eagle3 speculators");
    }
    JsonNode layer = root.path("transformer_layer_config");
    if (!layer.isObject()) {
      throw new IOException(where + "no transformer_layer_config");
    }
    if (!"llama".equals(layer.path("model_type").asText("llama"))) {
      throw new IOException(
          where
              + "draft architecture '"
              + layer.path("model_type").asText()
              + "' is not supported (llama only)");
    }
    for (String flag : List.of("norm_before_fc", "fc_norm", "norm_output")) {
      if (root.path(flag).asBoolean(false)) {
        throw new IOException(
            where + flag + "=true (Eagle 3.1) is not supported by the reference engine");
      }
    }
    TargetConfig t = target.config();
    if (!root.path("target_hidden_size").isNull()
        && root.has("target_hidden_size")
        && root.get("target_hidden_size").asInt() != t.hiddenSize()) {
      throw new IOException(
          where
              + "target_hidden_size "
              + root.get("target_hidden_size").asInt()
              + " differs from the target's hidden_size "
              + t.hiddenSize());
    }
    DraftConfig config;
    try {
      config = SpeculatorConfig.draftConfig(root, t.rmsNormEps());
    } catch (RuntimeException e) {
      throw new IOException(where + e.getMessage(), e);
    }
    if (config.hiddenSize() != t.hiddenSize() || config.vocabSize() != t.vocabSize()) {
      throw new IOException(
          where
              + "draft hidden_size/vocab_size "
              + config.hiddenSize()
              + "/"
              + config.vocabSize()
              + " do not fit the target's "
              + t.hiddenSize()
              + "/"
              + t.vocabSize()
              + ": trained for another model");
    }
    int[] aux = auxIds(root, t);
    NDManager manager = NDManager.newBaseManager();
    try (SafeTensorsFile file = SafeTensors.open(weightsFile)) {
      Map<String, NDArray> params = new LinkedHashMap<>();
      long[] d2t = null;
      Map<String, long[]> shapes = expectedShapes(config, aux.length);
      for (String name : file.names()) {
        HostTensor tensor = file.get(name);
        if (name.equals("d2t")) {
          d2t = tensor.toLongArray();
        } else if (name.equals("t2d")) {
          continue; // vLLM ignores it as well
        } else {
          long[] want = shapes.get(name);
          if (want == null && !name.equals("embed_tokens.weight")) {
            throw new IOException(weightsFile + ": unexpected tensor '" + name + "'");
          }
          if (want != null && !Arrays.equals(want, tensor.shape())) {
            throw new IOException(
                weightsFile
                    + ": tensor '"
                    + name
                    + "' has shape "
                    + Arrays.toString(tensor.shape())
                    + ", expected "
                    + Arrays.toString(want));
          }
          params.put(name, Tensors.toNDArray(manager, tensor));
        }
      }
      for (String name : shapes.keySet()) {
        if (!params.containsKey(name)) {
          throw new IOException(weightsFile + ": missing tensor '" + name + "'");
        }
      }
      if (!config.fullVocabulary() && (d2t == null || d2t.length != config.draftVocabSize())) {
        throw new IOException(
            weightsFile
                + ": draft vocabulary "
                + config.draftVocabSize()
                + " needs a d2t tensor of that length");
      }
      if (d2t != null) {
        for (int i = 0; i < d2t.length; i++) {
          if (i + d2t[i] < 0 || i + d2t[i] >= t.vocabSize()) {
            throw new IOException(
                weightsFile + ": d2t[" + i + "] maps outside the target vocabulary");
          }
        }
      }
      params.putIfAbsent("embed_tokens.weight", target.weights().get("embed_tokens.weight"));
      Eagle3DraftModel model =
          new Eagle3DraftModel(
              config,
              params,
              Set.of(),
              config.fullVocabulary() ? null : d2t,
              CausalDecodeAttention.INSTANCE);
      return new Speculator(model, aux, "speculator " + dir, manager);
    } catch (IOException | RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /**
   * A draft of the same shape with fresh weights (PyTorch's default init, lm_head from the target's
   * rows, as training starts): the baseline that shows what training bought.
   *
   * @param d2t the draft→target offsets of the trained draft, or null for the full vocabulary
   */
  public static Speculator untrained(
      DraftConfig config,
      int[] auxLayerIds,
      long[] d2t,
      HfModelDir targetDir,
      ReferenceModel target,
      long seed)
      throws IOException {
    NDManager manager = NDManager.newBaseManager();
    try {
      long[] draftIds = null;
      if (d2t != null) {
        draftIds = new long[d2t.length];
        for (int i = 0; i < d2t.length; i++) {
          draftIds[i] = i + d2t[i];
        }
      }
      Map<String, NDArray> params =
          DraftInitializer.initialize(
              manager, config, auxLayerIds.length, new VerifierWeights(targetDir), draftIds, seed);
      Eagle3DraftModel model =
          new Eagle3DraftModel(config, params, Set.of(), d2t, CausalDecodeAttention.INSTANCE);
      return new Speculator(model, auxLayerIds, "untrained draft (seed " + seed + ")", manager);
    } catch (IOException | RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /**
   * The same shape with fresh weights: see {@link #untrained(DraftConfig, int[], long[],
   * HfModelDir, ReferenceModel, long)}.
   */
  public Speculator untrainedTwin(HfModelDir targetDir, ReferenceModel target, long seed)
      throws IOException {
    return untrained(model.config(), auxLayerIds, model.d2t(), targetDir, target, seed);
  }

  private static int[] auxIds(JsonNode root, TargetConfig t) throws IOException {
    JsonNode ids = root.get("eagle_aux_hidden_state_layer_ids");
    if (ids == null || ids.isNull() || (ids.isArray() && ids.isEmpty())) {
      return t.defaultAuxLayerIds(); // what vLLM feeds a draft that names none
    }
    int[] out = new int[ids.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ids.get(i).asInt();
      if (out[i] < 0 || out[i] > t.numLayers()) {
        throw new IOException(
            "eagle_aux_hidden_state_layer_ids: "
                + out[i]
                + " is outside the target's 0.."
                + t.numLayers());
      }
    }
    return out;
  }

  private static Map<String, long[]> expectedShapes(DraftConfig c, int auxLayers) {
    long h = c.hiddenSize();
    long q = (long) c.numAttentionHeads() * c.headDim();
    long kv = (long) c.numKeyValueHeads() * c.headDim();
    long inter = c.intermediateSize();
    Map<String, long[]> s = new LinkedHashMap<>();
    s.put("fc.weight", new long[] {h, auxLayers * h});
    for (int i = 0; i < c.numLayers(); i++) {
      String p = "layers." + i + ".";
      long in = i == 0 ? 2 * h : h;
      s.put(p + "self_attn.q_proj.weight", new long[] {q, in});
      s.put(p + "self_attn.k_proj.weight", new long[] {kv, in});
      s.put(p + "self_attn.v_proj.weight", new long[] {kv, in});
      s.put(p + "self_attn.o_proj.weight", new long[] {h, q});
      s.put(p + "mlp.gate_proj.weight", new long[] {inter, h});
      s.put(p + "mlp.up_proj.weight", new long[] {inter, h});
      s.put(p + "mlp.down_proj.weight", new long[] {h, inter});
      s.put(p + "input_layernorm.weight", new long[] {h});
      s.put(p + "post_attention_layernorm.weight", new long[] {h});
      if (i == 0) {
        s.put(p + "hidden_norm.weight", new long[] {h});
      }
    }
    s.put("norm.weight", new long[] {h});
    s.put("lm_head.weight", new long[] {c.draftVocabSize(), h});
    return s;
  }

  @Override
  public void close() {
    manager.close();
  }
}
