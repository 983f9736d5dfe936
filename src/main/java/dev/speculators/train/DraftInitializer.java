package dev.speculators.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.speculators.train.model.DraftConfig;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Builds a fresh draft (eagle3-spec §1.4): linear layers with PyTorch's default init
 * (kaiming-uniform with a = √5, i.e. U(−1/√fan_in, 1/√fan_in)), RMSNorm weights 1, the frozen token
 * embedding copied from the verifier, and {@code lm_head} initialised from the verifier's output
 * rows of the draft vocabulary.
 */
public final class DraftInitializer {
  private DraftInitializer() {}

  /** Names of the tensors that train (upstream v0.3/v0.4; {@code lm_head} optionally frozen). */
  public static Set<String> trainableNames(DraftConfig c, boolean trainLmHead) {
    Set<String> names = new LinkedHashSet<>();
    names.add("fc.weight");
    for (int i = 0; i < c.numLayers(); i++) {
      String p = "layers." + i + ".";
      for (String w : new String[] {"q_proj", "k_proj", "v_proj", "o_proj"}) {
        names.add(p + "self_attn." + w + ".weight");
      }
      for (String w : new String[] {"gate_proj", "up_proj", "down_proj"}) {
        names.add(p + "mlp." + w + ".weight");
      }
      names.add(p + "input_layernorm.weight");
      names.add(p + "post_attention_layernorm.weight");
      if (i == 0) {
        names.add(p + "hidden_norm.weight");
      }
    }
    names.add("norm.weight");
    if (trainLmHead) {
      names.add("lm_head.weight");
    }
    return names;
  }

  /**
   * @param auxLayers number of verifier layers concatenated into fc's input (normally 3)
   * @param draftToVerifier ascending verifier ids of the draft vocabulary, or null for all
   */
  public static Map<String, NDArray> initialize(
      NDManager manager,
      DraftConfig c,
      int auxLayers,
      VerifierWeights verifier,
      long[] draftToVerifier,
      long seed)
      throws IOException {
    SplittableRandom rng = new SplittableRandom(seed);
    int h = c.hiddenSize();
    int q = c.numAttentionHeads() * c.headDim();
    int kv = c.numKeyValueHeads() * c.headDim();
    int inter = c.intermediateSize();
    Map<String, NDArray> p = new LinkedHashMap<>();
    p.put("fc.weight", linear(manager, rng, h, auxLayers * h));
    for (int i = 0; i < c.numLayers(); i++) {
      String pre = "layers." + i + ".";
      int in = i == 0 ? 2 * h : h;
      p.put(pre + "self_attn.q_proj.weight", linear(manager, rng, q, in));
      p.put(pre + "self_attn.k_proj.weight", linear(manager, rng, kv, in));
      p.put(pre + "self_attn.v_proj.weight", linear(manager, rng, kv, in));
      p.put(pre + "self_attn.o_proj.weight", linear(manager, rng, h, q));
      p.put(pre + "mlp.gate_proj.weight", linear(manager, rng, inter, h));
      p.put(pre + "mlp.up_proj.weight", linear(manager, rng, inter, h));
      p.put(pre + "mlp.down_proj.weight", linear(manager, rng, h, inter));
      p.put(pre + "input_layernorm.weight", manager.ones(new Shape(h)));
      p.put(pre + "post_attention_layernorm.weight", manager.ones(new Shape(h)));
      if (i == 0) {
        p.put(pre + "hidden_norm.weight", manager.ones(new Shape(h)));
      }
    }
    p.put("norm.weight", manager.ones(new Shape(h)));
    p.putAll(verifierTensors(manager, verifier, draftToVerifier));
    return p;
  }

  /**
   * The tensors that come from the verifier: {@code lm_head.weight} (its draft rows, the head's
   * starting point), {@code embed_tokens.weight}, {@code verifier_lm_head.weight}, {@code
   * verifier_norm.weight}.
   */
  public static Map<String, NDArray> verifierTensors(
      NDManager manager, VerifierWeights verifier, long[] draftToVerifier) throws IOException {
    Map<String, NDArray> p = new LinkedHashMap<>();
    NDArray head = verifier.lmHeadRows(manager, draftToVerifier);
    p.put("lm_head.weight", head);
    p.put("embed_tokens.weight", verifier.embedTokens(manager));
    p.put("verifier_lm_head.weight", head.duplicate());
    p.put("verifier_norm.weight", verifier.finalNorm(manager));
    return p;
  }

  // PyTorch nn.Linear default: kaiming_uniform(a=√5) → U(−1/√fan_in, 1/√fan_in)
  // (drawn straight into the array's memory: no heap copy of the weights)
  private static NDArray linear(NDManager m, SplittableRandom rng, int out, int in) {
    float bound = (float) (1.0 / Math.sqrt(in));
    long n = (long) out * in;
    return Tensors.filled(
        m,
        new Shape(out, in),
        w -> {
          for (long i = 0; i < n; i++) {
            w.put((float) ((rng.nextDouble() * 2 - 1) * bound));
          }
        });
  }
}
