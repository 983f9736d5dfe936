package dev.speculators.train;

import ai.djl.ndarray.*;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speculators.train.model.*;
import java.nio.file.*;
import java.util.*;
import org.junit.jupiter.api.Test;

class SpikeTest {
  static NDList load(NDManager m, Path p) throws Exception {
    return NDList.decode(m, Files.readAllBytes(p));
  }
  static Map<String, NDArray> byName(NDList l) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    for (NDArray a : l) {
      NDArray c = a.getDataType() == DataType.FLOAT32 ? a.getManager().create(a.toFloatArray(), a.getShape())
        : a.getDataType() == DataType.INT64 ? a.getManager().create(a.toLongArray(), a.getShape()) : a;
      out.put(a.getName(), c); }
    return out;
  }
  @Test
  void basic() throws Exception {
    for (String c : List.of("case_basic", "case_teacher_forced", "case_two_layers", "case_full_vocab")) {
    Path dir = Path.of("src/test/resources/fixtures/eagle3/" + c);
    JsonNode cs = new ObjectMapper().readTree(dir.resolve("case.json").toFile());
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> w = byName(load(m, dir.resolve("weights.safetensors")));
      Map<String, NDArray> b = byName(load(m, dir.resolve("batch.safetensors")));
      Map<String, NDArray> e = byName(load(m, dir.resolve("expected.safetensors")));
      JsonNode d = cs.get("draft");
      DraftConfig cfg = new DraftConfig(d.get("hidden_size").asInt(), d.get("intermediate_size").asInt(),
          d.get("num_attention_heads").asInt(), d.get("num_key_value_heads").asInt(), d.get("head_dim").asInt(),
          d.get("num_layers").asInt(), cs.get("verifier").get("vocab_size").asInt(), d.get("draft_vocab_size").asInt(),
          d.get("rms_norm_eps").asDouble(), cs.get("verifier").get("rms_norm_eps").asDouble(),
          RopeConfig.plain(d.get("rope_theta").asDouble()), d.get("norm_before_residual").asBoolean());
      Set<String> trainable = new HashSet<>();
      d.get("trainable_parameters").forEach(n -> trainable.add(n.asText()));
      Map<String, NDArray> params = new LinkedHashMap<>();
      w.forEach((k, v) -> { if (!k.equals("d2t") && !k.equals("t2d") && !k.startsWith("rotary")) { v.setName(null); params.put(k, v);} });
      long[] d2t = w.containsKey("d2t") ? w.get("d2t").toLongArray() : null;
      for (String which : List.of("fused", "dense")) {
      TttAttention att = which.equals("fused") ? new FusedTttAttention(m) : new DenseMaskTttAttention();
      Eagle3DraftModel model = new Eagle3DraftModel(cfg, params, trainable, d2t, att);
      System.out.println("invfreq diff " + model.inverseFrequencies().sub(w.get("rotary_emb.inv_freq")).abs().max().getFloat());
      try (NDManager step = m.newSubManager()) {
        long t = cs.get("batch").get("T").asLong();
        NDArray ids = b.get("input_ids").reshape(t).duplicate(); ids.attach(step);
        PackedBatch pb = new PackedBatch(b.get("input_ids").get(0), b.get("hidden_states").get(0),
            b.get("verifier_last_hidden_states").get(0), b.get("loss_mask").get(0), b.get("position_ids").get(0),
            PackedDocuments.fromLengths(b.get("lengths").toLongArray(), (int) t));
        for (NDArray a : List.of(pb.inputIds(), pb.auxHiddenStates(), pb.verifierLastHiddenStates(), pb.lossMask(), pb.positionIds())) { a.setName(null); a.attach(step); }
        long start = System.nanoTime();
        TttResult r;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          r = model.forward(pb, d.get("ttt_steps").asInt(), d.get("ttt_step_loss_decay").asDouble(),
              d.get("use_off_policy_tokens").asBoolean() ? TttInputs.GROUND_TRUTH : TttInputs.DRAFT, true);
          gc.backward(r.loss());
        }
        JsonNode ex = cs.get("expected");
        System.out.printf("%s %s loss %.7f vs %.7f  %s%n", c, which, r.loss().getFloat(), ex.get("loss").asDouble(), (System.nanoTime()-start)/1e6);
        for (int k = 0; k < r.stepLosses().length; k++) {
          System.out.printf("  k=%d loss %.7f/%.7f full %.7f/%.7f cond %.7f/%.7f logitsdiff %g%n", k, r.stepLosses()[k], ex.get("loss_"+k).asDouble(),
            r.fullAccuracy()[k], ex.get("full_acc_"+k).asDouble(), r.conditionalAccuracy()[k], ex.get("cond_acc_"+k).asDouble(),
            r.logits().get(k).sub(e.get("logits_"+k).get(0)).abs().max().getFloat());
        }
        double worst = 0;
        for (String n : trainable) {
          NDArray g = params.get(n).getGradient();
          NDArray eg = e.get("grad." + n);
          double rel = g.sub(eg).abs().max().getFloat() / eg.abs().max().getFloat();
          worst = Math.max(worst, rel);
        }
        System.out.println("  worst grad rel " + worst);
        for (String n : trainable) { params.get(n).setRequiresGradient(false);} 
      }
      }
    }
    }
  }
}
