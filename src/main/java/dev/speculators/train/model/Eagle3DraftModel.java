package dev.speculators.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import dev.speculators.train.loss.TttLoss;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The EAGLE3 draft model and its training-time-test forward (eagle3-spec §1.3, §2.3), written over
 * plain tensors whose names are the upstream checkpoint keys ({@code fc.weight}, {@code
 * layers.0.self_attn.q_proj.weight}, ...). One method per equation; shapes in comments (batch 1, so
 * the batch dimension is dropped: T positions per packed row).
 *
 * <p>Every op is written activation-first, so results belong to the activation's (per-step) manager
 * rather than to the parameters' manager.
 */
public final class Eagle3DraftModel {
  private final DraftConfig config;
  private final Map<String, NDArray> params;
  private final Set<String> trainable;
  private final long[] d2t;
  private final NDArray invFreq;
  private final TttAttention attention;
  private final LinearOps linear;

  /**
   * @param params every tensor under its upstream name: trainable weights plus {@code
   *     embed_tokens.weight}, {@code verifier_lm_head.weight}, {@code verifier_norm.weight}
   * @param trainable names of the parameters that receive gradients
   * @param d2t draft→target offsets [Vd], or null for the full vocabulary
   */
  public Eagle3DraftModel(
      DraftConfig config,
      Map<String, NDArray> params,
      Set<String> trainable,
      long[] d2t,
      TttAttention attention) {
    this(config, params, trainable, d2t, attention, LinearOps.FP32);
  }

  /**
   * @param linear the matrix products in the training precision (the attention must be in the same
   *     one)
   */
  public Eagle3DraftModel(
      DraftConfig config,
      Map<String, NDArray> params,
      Set<String> trainable,
      long[] d2t,
      TttAttention attention,
      LinearOps linear) {
    this.linear = linear;
    this.config = config;
    this.params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    this.trainable = Set.copyOf(trainable);
    this.d2t = d2t;
    this.attention = attention;
    NDManager m = params.get("fc.weight").getManager();
    this.invFreq = RotaryEmbedding.inverseFrequencies(m, config.headDim(), config.rope());
    for (String name : trainable) {
      param(name).setRequiresGradient(true);
    }
  }

  public DraftConfig config() {
    return config;
  }

  /** Every tensor by upstream name (trainable and frozen). */
  public Map<String, NDArray> parameters() {
    return params;
  }

  /** Trainable parameters in a stable order (the optimizer's parameter order). */
  public List<String> trainableNames() {
    List<String> names = new ArrayList<>();
    for (String n : params.keySet()) {
      if (trainable.contains(n)) {
        names.add(n);
      }
    }
    return names;
  }

  public long[] d2t() {
    return d2t;
  }

  public NDArray inverseFrequencies() {
    return invFreq;
  }

  /** The precision of the matrix products and the attention. */
  public Precision precision() {
    return linear.precision();
  }

  NDArray param(String name) {
    NDArray p = params.get(name);
    if (p == null) {
      throw new IllegalStateException("draft model has no tensor '" + name + "'");
    }
    return p;
  }

  // ---- equations ----------------------------------------------------------------------------

  /** RMSNorm: w · x / sqrt(mean(x²) + eps). x [..., H] → [..., H]. */
  static NDArray rmsNorm(NDArray x, NDArray weight, double eps) {
    return Intermediates.freeAfter(
        () -> {
          NDArray variance = x.square().mean(new int[] {-1}, true); // [..., 1]
          return x.div(variance.add((float) eps).sqrt()).mul(weight);
        });
  }

  /** §1.3 eq. 1: h = fc(g). g [T, 3H] → [T, H]. */
  public NDArray fc(NDArray auxHiddenStates) {
    return linear.linear(auxHiddenStates, param("fc.weight"));
  }

  /**
   * Targets: verifier_lm_head(verifier_norm(y)), the verifier's logits restricted to the draft
   * vocabulary. y [T, H] → [T, Vd]. Not differentiated.
   */
  public NDArray targets(NDArray verifierLastHiddenStates) {
    return Intermediates.freeAfter(
        () -> {
          NDArray normed =
              rmsNorm(
                  verifierLastHiddenStates,
                  param("verifier_norm.weight"),
                  config.verifierRmsNormEps());
          return linear.linear(normed, param("verifier_lm_head.weight"));
        });
  }

  /** §1.3 eq. 2: e = embed_tokens(x). x [T] int64 → [T, H]; the embedding is frozen. */
  public NDArray embed(NDArray ids) {
    return Embedding.embedding(ids, param("embed_tokens.weight"), SparseFormat.DENSE)
        .singletonOrThrow();
  }

  /** SwiGLU MLP: down(silu(gate(x)) · up(x)). x [T, H] → [T, H]. */
  NDArray mlp(String prefix, NDArray x) {
    return linear.swiGlu(
        x,
        param(prefix + "mlp.gate_proj.weight"),
        param(prefix + "mlp.up_proj.weight"),
        param(prefix + "mlp.down_proj.weight"));
  }

  /**
   * Self-attention with the shared training-time-test cache. x [T, in] (in = 2H for layer 0, H
   * otherwise) → [T, H]; appends this step's rotated keys/values to {@code cache}.
   */
  NDArray selfAttention(
      String prefix,
      NDArray x,
      NDArray cos,
      NDArray sin,
      KvCache cache,
      PackedDocuments docs,
      TttAttention attention) {
    int nh = config.numAttentionHeads();
    int nkv = config.numKeyValueHeads();
    int hd = config.headDim();
    long t = x.getShape().get(0);
    return Intermediates.freeAfter(
        () -> {
          NDList qkv =
              linear.projections(
                  x,
                  param(prefix + "self_attn.q_proj.weight"),
                  param(prefix + "self_attn.k_proj.weight"),
                  param(prefix + "self_attn.v_proj.weight"));
          NDArray q = RotaryEmbedding.apply(headsFirst(qkv.get(0), t, nh, hd), cos, sin);
          NDArray k = RotaryEmbedding.apply(headsFirst(qkv.get(1), t, nkv, hd), cos, sin);
          cache.append(k, headsFirst(qkv.get(2), t, nkv, hd));
          NDArray o = attention.attend(q, cache, docs); // [nh, T, hd]
          NDArray merged = o.transpose(1, 0, 2).reshape(t, (long) nh * hd); // [T, nh·hd]
          return linear.linear(merged, param(prefix + "self_attn.o_proj.weight"));
        });
  }

  // [T, heads·hd] → [heads, T, hd]
  private static NDArray headsFirst(NDArray projected, long t, int heads, int hd) {
    return projected.reshape(t, heads, hd).transpose(1, 0, 2);
  }

  /**
   * §1.3 eq. 4, the EAGLE3 first layer: residual = hidden_norm(h) if norm_before_residual else h; a
   * = attn(cat(input_layernorm(e), hidden_norm(h))); h = residual + a; h = h + mlp(norm(h)). e, h
   * [T, H] → [T, H].
   */
  NDArray firstLayer(
      NDArray e,
      NDArray h,
      NDArray cos,
      NDArray sin,
      KvCache cache,
      PackedDocuments docs,
      TttAttention attention) {
    String p = "layers.0.";
    double eps = config.rmsNormEps();
    return Intermediates.freeAfter(
        () -> {
          NDArray eNormed = rmsNorm(e, param(p + "input_layernorm.weight"), eps);
          NDArray hNormed = rmsNorm(h, param(p + "hidden_norm.weight"), eps);
          NDArray residual = config.normBeforeResidual() ? hNormed : h;
          NDArray x = eNormed.concat(hNormed, -1); // [T, 2H]
          NDArray out = residual.add(selfAttention(p, x, cos, sin, cache, docs, attention));
          return out.add(mlp(p, rmsNorm(out, param(p + "post_attention_layernorm.weight"), eps)));
        });
  }

  /** §1.3 eq. 5: a plain pre-norm Llama layer. h [T, H] → [T, H]. */
  NDArray decoderLayer(
      int index,
      NDArray h,
      NDArray cos,
      NDArray sin,
      KvCache cache,
      PackedDocuments docs,
      TttAttention attention) {
    String p = "layers." + index + ".";
    double eps = config.rmsNormEps();
    return Intermediates.freeAfter(
        () -> {
          NDArray normed = rmsNorm(h, param(p + "input_layernorm.weight"), eps);
          NDArray attn = selfAttention(p, normed, cos, sin, cache, docs, attention);
          NDArray out = h.add(attn);
          return out.add(mlp(p, rmsNorm(out, param(p + "post_attention_layernorm.weight"), eps)));
        });
  }

  /** §1.3 eq. 6: logits = lm_head(norm(h)). h [T, H] → [T, Vd]. */
  public NDArray logits(NDArray h) {
    return Intermediates.freeAfter(
        () ->
            linear.linear(
                rmsNorm(h, param("norm.weight"), config.rmsNormEps()), param("lm_head.weight")));
  }

  /**
   * One decoding step through all draft layers. Returns the last layer's output before the final
   * norm ([T, H]), the state EAGLE3 carries to the next step.
   */
  public NDArray step(
      NDArray ids, NDArray h, NDArray positions, List<KvCache> caches, PackedDocuments docs) {
    return layers(ids, h, positions, caches, docs, attention);
  }

  /**
   * One inference step as vLLM runs the draft: new positions appended to a causal cache over the
   * sequence (eagle3-spec §7.2). Each cache holds one chunk per call, in sequence order; the new
   * chunk's queries see every earlier position and the causal part of their own chunk. Returns the
   * last layer's output before the final norm ([t, H]): the state fed to the next draft step, and
   * the input of {@link #logits}.
   *
   * @param ids [t] verifier token ids of the new positions
   * @param h [t, H]: {@link #fc} of the verifier's aux states for verified positions, or the
   *     previous draft step's output for speculative ones
   * @param positions [t] int64 position ids
   * @param caches one per draft layer; {@link KvCache#truncate} drops rejected positions
   */
  public NDArray decode(NDArray ids, NDArray h, NDArray positions, List<KvCache> caches) {
    return layers(ids, h, positions, caches, null, CausalDecodeAttention.INSTANCE);
  }

  private NDArray layers(
      NDArray ids,
      NDArray h,
      NDArray positions,
      List<KvCache> caches,
      PackedDocuments docs,
      TttAttention attention) {
    return Intermediates.freeAfter(
        () -> {
          NDList cosSin = RotaryEmbedding.cosSin(positions, invFreq);
          NDArray cos = cosSin.get(0);
          NDArray sin = cosSin.get(1);
          NDArray out = firstLayer(embed(ids), h, cos, sin, caches.get(0), docs, attention);
          for (int i = 1; i < config.numLayers(); i++) {
            out = decoderLayer(i, out, cos, sin, caches.get(i), docs, attention);
          }
          return out;
        });
  }

  /**
   * Training-time test (eagle3-spec §2.3): K recursive steps over one packed row with one shared
   * cache, positions +1 per step, loss Σ decay^k · KL_k and per-step accuracies.
   */
  public TttResult forward(
      PackedBatch batch, int tttSteps, double stepLossDecay, TttInputs inputs, boolean keepLogits) {
    // everything created here is freed when the forward returns, except the loss (and the logits
    // when asked for); what the backward needs, autograd holds
    try (NDScope scope = new NDScope()) {
      PackedDocuments docs = batch.documents();
      NDManager m = batch.inputIds().getManager();
      TttLoss loss;
      try (NDArray targets = targets(batch.verifierLastHiddenStates())) {
        loss = new TttLoss(targets, batch.lossMask());
      }
      List<KvCache> caches = new ArrayList<>();
      for (int i = 0; i < config.numLayers(); i++) {
        caches.add(new KvCache());
      }
      long[] groundTruth = batch.inputIds().toLongArray();
      NDArray ids = batch.inputIds();
      NDArray positions = batch.positionIds();
      NDArray h = fc(batch.auxHiddenStates());
      long[][] drafts = new long[tttSteps][];
      List<NDArray> keptLogits = new ArrayList<>();
      for (int k = 0; k < tttSteps; k++) {
        h = step(ids, h, positions, caches, docs);
        NDArray logits = logits(h);
        loss.addStep(k, logits, Math.pow(stepLossDecay, k));
        drafts[k] = loss.lastDraftTokens();
        if (keepLogits) {
          keptLogits.add(logits);
        } else {
          logits.close(); // [T, Vd]: the loss keeps its log-softmax, not the logits
        }
        if (k + 1 < tttSteps) {
          long[] next =
              inputs == TttInputs.GROUND_TRUTH
                  ? shiftedGroundTruth(groundTruth, k + 1)
                  : toVerifierIds(drafts[k]);
          ids = m.create(next);
          positions = positions.add(1);
        }
      }
      TttResult result = loss.result(drafts, keptLogits);
      NDScope.unregister(result.loss());
      keptLogits.forEach(NDScope::unregister);
      return result;
    }
  }

  /** x_{k+1} = cat(x_0[k+1:], zeros(k+1)). */
  static long[] shiftedGroundTruth(long[] x0, int shift) {
    long[] out = new long[x0.length];
    System.arraycopy(x0, shift, out, 0, Math.max(0, x0.length - shift));
    return out;
  }

  /** Draft ids → verifier ids: target = i + d2t[i] (identity for the full vocabulary). */
  public long[] toVerifierIds(long[] draftIds) {
    if (d2t == null) {
      return draftIds.clone();
    }
    long[] out = new long[draftIds.length];
    for (int i = 0; i < draftIds.length; i++) {
      int d = (int) draftIds[i];
      out[i] = d + d2t[d];
    }
    return out;
  }
}
