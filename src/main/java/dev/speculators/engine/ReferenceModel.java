package dev.speculators.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import dev.speculators.io.SafeTensorsFile;
import dev.speculators.io.hf.HfModelDir;
import dev.speculators.train.Tensors;
import dev.speculators.train.model.RotaryEmbedding;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference engine's target model: a Java (DJL) forward pass of Llama- and Qwen3-architecture
 * decoders, written over tensors named like the Hugging Face checkpoint without its {@code model.}
 * prefix ({@code embed_tokens.weight}, {@code layers.0.self_attn.q_proj.weight}, ..., {@code
 * norm.weight}, {@code lm_head.weight}). Everything is computed in float32 (bf16 weights are
 * widened exactly on load).
 *
 * <p>Hidden states are captured with vLLM's layer-id semantics: id {@code k} is the residual stream
 * entering decoder layer {@code k} ({@code k = 0} is the embedding), id {@code N} the last layer's
 * output before the final norm.
 *
 * <p>The same forward trains the tiny example target (autograd through every op: tensor scalars
 * only, see {@code GraphScalars}); inference simply runs it outside a gradient collector.
 */
public final class ReferenceModel implements AutoCloseable {
  private final TargetConfig config;
  private final Map<String, NDArray> weights;
  private final NDArray invFreq;
  private final NDManager owned;

  private ReferenceModel(TargetConfig config, Map<String, NDArray> weights, NDManager owned) {
    this.config = config;
    this.weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
    this.owned = owned;
    for (String name : weightNames(config)) {
      if (!weights.containsKey(name)) {
        throw new IllegalArgumentException("target model has no tensor '" + name + "'");
      }
    }
    NDManager m = weights.get("embed_tokens.weight").getManager();
    this.invFreq = RotaryEmbedding.inverseFrequencies(m, config.headDim(), config.rope());
  }

  /** Loads a Hugging Face model directory ({@code config.json} + safetensors). */
  public static ReferenceModel load(Path dir) throws IOException {
    try (HfModelDir hf = HfModelDir.open(dir)) {
      return load(hf);
    }
  }

  /** Loads the weights of an open model directory into a manager the model owns. */
  public static ReferenceModel load(HfModelDir dir) throws IOException {
    TargetConfig config = TargetConfig.of(dir);
    String embedName = dir.embedTokensWeightName();
    String prefix = embedName.substring(0, embedName.length() - "embed_tokens.weight".length());
    NDManager manager = NDManager.newBaseManager();
    try {
      Map<String, NDArray> w = new LinkedHashMap<>();
      Map<String, long[]> shapes = expectedShapes(config);
      for (String name : weightNames(config)) {
        String file = name.equals("lm_head.weight") ? dir.lmHeadWeightName() : prefix + name;
        if (!dir.has(file)) {
          throw new IOException(dir.dir() + ": the weights have no tensor '" + file + "'");
        }
        SafeTensorsFile.TensorInfo info = dir.tensorInfo(file);
        if (!Arrays.equals(info.shape(), shapes.get(name))) {
          throw new IOException(
              dir.dir()
                  + ": tensor '"
                  + file
                  + "' has shape "
                  + Arrays.toString(info.shape())
                  + ", config.json implies "
                  + Arrays.toString(shapes.get(name)));
        }
        w.put(name, Tensors.toNDArray(manager, dir.tensor(file)));
      }
      return new ReferenceModel(config, w, manager);
    } catch (IOException | RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** A model over tensors the caller owns (e.g. trainable parameters). */
  public static ReferenceModel of(TargetConfig config, Map<String, NDArray> weights) {
    return new ReferenceModel(config, weights, null);
  }

  /** The tensor names of a model of this shape, in checkpoint order. */
  public static List<String> weightNames(TargetConfig c) {
    return List.copyOf(expectedShapes(c).keySet());
  }

  /** Name → shape of every tensor ({@code lm_head.weight} is the embedding when tied). */
  public static Map<String, long[]> expectedShapes(TargetConfig c) {
    long h = c.hiddenSize();
    long q = (long) c.numAttentionHeads() * c.headDim();
    long kv = (long) c.numKeyValueHeads() * c.headDim();
    long inter = c.intermediateSize();
    Map<String, long[]> s = new LinkedHashMap<>();
    s.put("embed_tokens.weight", new long[] {c.vocabSize(), h});
    for (int i = 0; i < c.numLayers(); i++) {
      String p = "layers." + i + ".";
      s.put(p + "input_layernorm.weight", new long[] {h});
      s.put(p + "self_attn.q_proj.weight", new long[] {q, h});
      s.put(p + "self_attn.k_proj.weight", new long[] {kv, h});
      s.put(p + "self_attn.v_proj.weight", new long[] {kv, h});
      s.put(p + "self_attn.o_proj.weight", new long[] {h, q});
      if (c.architecture().hasQkNorm()) {
        s.put(p + "self_attn.q_norm.weight", new long[] {c.headDim()});
        s.put(p + "self_attn.k_norm.weight", new long[] {c.headDim()});
      }
      s.put(p + "post_attention_layernorm.weight", new long[] {h});
      s.put(p + "mlp.gate_proj.weight", new long[] {inter, h});
      s.put(p + "mlp.up_proj.weight", new long[] {inter, h});
      s.put(p + "mlp.down_proj.weight", new long[] {h, inter});
    }
    s.put("norm.weight", new long[] {h});
    s.put("lm_head.weight", new long[] {c.vocabSize(), h});
    return s;
  }

  public TargetConfig config() {
    return config;
  }

  /** Every tensor by name. */
  public Map<String, NDArray> weights() {
    return weights;
  }

  /** A manager for one sequence's arrays (a child of the weights' manager). */
  public NDManager newManager() {
    return weights.get("embed_tokens.weight").getManager().newSubManager();
  }

  /** A new sequence with its own cache; its arrays live in {@code manager}. */
  public TargetSession newSession(NDManager manager) {
    return new TargetSession(this, manager);
  }

  private NDArray w(String name) {
    NDArray a = weights.get(name);
    if (a == null) {
      throw new IllegalStateException("target model has no tensor '" + name + "'");
    }
    return a;
  }

  /**
   * The decoder stack over new positions.
   *
   * @param ids [t] int64 token ids
   * @param positions [t] int64 position ids
   * @param attention how queries see keys (cache or packed row)
   * @param captureLayerIds layer ids to capture (vLLM semantics), or an empty array
   * @param captured receives id → [t, H] for every captured id
   * @return the last layer's output before the final norm, [t, H]
   */
  public NDArray forward(
      NDArray ids,
      NDArray positions,
      TargetAttention attention,
      int[] captureLayerIds,
      Map<Integer, NDArray> captured) {
    for (int id : captureLayerIds) {
      if (id < 0 || id > config.numLayers()) {
        throw new IllegalArgumentException(
            "layer id "
                + id
                + " is outside 0.."
                + config.numLayers()
                + " ("
                + config.numLayers()
                + " = final layer output)");
      }
    }
    NDList cosSin = RotaryEmbedding.cosSin(positions, invFreq);
    NDArray h =
        Embedding.embedding(ids, w("embed_tokens.weight"), SparseFormat.DENSE).singletonOrThrow();
    for (int layer = 0; layer < config.numLayers(); layer++) {
      capture(layer, h, captureLayerIds, captured);
      h = decoderLayer(layer, h, cosSin.get(0), cosSin.get(1), attention);
    }
    capture(config.numLayers(), h, captureLayerIds, captured);
    return h;
  }

  private static void capture(int id, NDArray h, int[] ids, Map<Integer, NDArray> captured) {
    for (int want : ids) {
      if (want == id) {
        captured.put(id, h);
        return;
      }
    }
  }

  /** Output logits: lm_head(norm(h)). h [t, H] → [t, V]. */
  public NDArray logits(NDArray prenorm) {
    NDArray normed = rmsNorm(prenorm, w("norm.weight"), config.rmsNormEps());
    return Linear.linear(normed, w("lm_head.weight")).singletonOrThrow();
  }

  /** Pre-norm decoder layer: h + attn(norm(h)), then + mlp(norm(·)). [t, H] → [t, H]. */
  NDArray decoderLayer(int layer, NDArray h, NDArray cos, NDArray sin, TargetAttention attention) {
    String p = "layers." + layer + ".";
    double eps = config.rmsNormEps();
    NDArray attn =
        selfAttention(
            layer, p, rmsNorm(h, w(p + "input_layernorm.weight"), eps), cos, sin, attention);
    NDArray out = h.add(attn);
    return out.add(mlp(p, rmsNorm(out, w(p + "post_attention_layernorm.weight"), eps)));
  }

  private NDArray selfAttention(
      int layer, String p, NDArray x, NDArray cos, NDArray sin, TargetAttention attention) {
    long t = x.getShape().get(0);
    int hd = config.headDim();
    NDArray q = project(x, p + "self_attn.q_proj.weight", t, config.numAttentionHeads(), hd);
    NDArray k = project(x, p + "self_attn.k_proj.weight", t, config.numKeyValueHeads(), hd);
    NDArray v = project(x, p + "self_attn.v_proj.weight", t, config.numKeyValueHeads(), hd);
    if (config.architecture().hasQkNorm()) {
      // Qwen3: RMSNorm over each head's vector, before the rotation
      q = rmsNorm(q, w(p + "self_attn.q_norm.weight"), config.rmsNormEps());
      k = rmsNorm(k, w(p + "self_attn.k_norm.weight"), config.rmsNormEps());
    }
    q = RotaryEmbedding.apply(q.transpose(1, 0, 2), cos, sin); // [nh, t, hd]
    k = RotaryEmbedding.apply(k.transpose(1, 0, 2), cos, sin); // [nkv, t, hd]
    NDArray o = attention.attend(layer, q, k, v.transpose(1, 0, 2));
    NDArray merged = o.transpose(1, 0, 2).reshape(t, (long) config.numAttentionHeads() * hd);
    return Linear.linear(merged, w(p + "self_attn.o_proj.weight")).singletonOrThrow();
  }

  // [t, in] → [t, heads, hd]
  private NDArray project(NDArray x, String weight, long t, int heads, int hd) {
    return Linear.linear(x, w(weight)).singletonOrThrow().reshape(t, heads, hd);
  }

  private NDArray mlp(String p, NDArray x) {
    NDArray gate = Linear.linear(x, w(p + "mlp.gate_proj.weight")).singletonOrThrow();
    NDArray up = Linear.linear(x, w(p + "mlp.up_proj.weight")).singletonOrThrow();
    NDArray act = gate.mul(Activation.sigmoid(gate)).mul(up);
    return Linear.linear(act, w(p + "mlp.down_proj.weight")).singletonOrThrow();
  }

  /** RMSNorm over the last dimension: w · x / sqrt(mean(x²) + eps). */
  static NDArray rmsNorm(NDArray x, NDArray weight, double eps) {
    NDArray variance = x.square().mean(new int[] {-1}, true);
    return x.div(variance.add((float) eps).sqrt()).mul(weight);
  }

  @Override
  public void close() {
    if (owned != null) {
      owned.close();
    }
  }
}
