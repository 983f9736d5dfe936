package dev.speculators.train.golden;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speculators.io.HostTensor;
import dev.speculators.io.SafeTensors;
import dev.speculators.train.Tensors;
import dev.speculators.train.model.DenseMaskTttAttention;
import dev.speculators.train.model.DraftConfig;
import dev.speculators.train.model.Eagle3DraftModel;
import dev.speculators.train.model.FusedTttAttention;
import dev.speculators.train.model.LinearOps;
import dev.speculators.train.model.OpLibrary;
import dev.speculators.train.model.PackedBatch;
import dev.speculators.train.model.PackedDocuments;
import dev.speculators.train.model.Precision;
import dev.speculators.train.model.RopeConfig;
import dev.speculators.train.model.TttAttention;
import dev.speculators.train.model.TttInputs;
import dev.speculators.train.model.TttResult;
import dev.speculators.train.optim.AdamW;
import dev.speculators.train.optim.GradientClipping;
import dev.speculators.train.optim.LearningRateSchedule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Replays one golden case produced by the upstream Python implementation ({@code case.json}, {@code
 * weights.safetensors}, {@code batch.safetensors}, {@code expected.safetensors}): forward,
 * backward, gradient clipping and two AdamW steps with the learning-rate schedule, comparing
 * everything upstream recorded.
 */
public final class GoldenCase {
  /** Which attention implementation to verify. */
  public enum AttentionPath {
    FUSED,
    DENSE
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private GoldenCase() {}

  /**
   * The optimizer under test: clears and applies the trainable parameters' gradients. Its state
   * lives in sub-managers of the parameters' manager, which the case closes.
   */
  public interface Optimizer {
    void zeroGrad();

    void step(double lr);
  }

  /** Builds the optimizer under test for the trainable parameters and the case's settings. */
  public interface OptimizerFactory {
    Optimizer create(Map<String, NDArray> trainable, ReferenceAdamW.Settings settings);
  }

  /** The trainer's {@link AdamW}. */
  public static Optimizer adamW(Map<String, NDArray> trainable, ReferenceAdamW.Settings s) {
    AdamW adamw = new AdamW(trainable, s.beta1(), s.beta2(), s.eps(), s.weightDecay());
    return new Optimizer() {
      @Override
      public void zeroGrad() {
        adamw.zeroGrad();
      }

      @Override
      public void step(double lr) {
        adamw.step(lr);
      }
    };
  }

  public static GoldenResult run(Path dir, AttentionPath path) throws IOException {
    return run(dir, path, GoldenCase::adamW);
  }

  /**
   * Like {@link #run(Path, AttentionPath)} with another optimizer under test; the yardsticks keep
   * upstream's AdamW. A deliberately wrong optimizer here must fail the update check: this is how
   * the check itself is tested.
   */
  public static GoldenResult run(Path dir, AttentionPath path, OptimizerFactory optimizer)
      throws IOException {
    JsonNode cs = JSON.readTree(Files.readAllBytes(dir.resolve("case.json")));
    Map<String, HostTensor> weights = SafeTensors.readAll(dir.resolve("weights.safetensors"));
    Map<String, HostTensor> batch = SafeTensors.readAll(dir.resolve("batch.safetensors"));
    Map<String, HostTensor> expected = SafeTensors.readAll(dir.resolve("expected.safetensors"));
    JsonNode draft = cs.get("draft");
    DraftConfig config = config(cs);
    Set<String> trainable = new LinkedHashSet<>();
    draft.get("trainable_parameters").forEach(n -> trainable.add(n.asText()));
    Map<String, Double> worst = new LinkedHashMap<>();

    try (NDManager manager = NDManager.newBaseManager();
        OpLibrary ops = OpLibrary.load(manager)) {
      Map<String, NDArray> params = params(manager, weights);
      long[] d2t = weights.containsKey("d2t") ? weights.get("d2t").toLongArray() : null;
      // the model as the trainer builds it in float32, so that the op library's MLP is checked
      TttAttention attention =
          path == AttentionPath.FUSED
              ? new FusedTttAttention(ops, Precision.FP32)
              : new DenseMaskTttAttention();
      Eagle3DraftModel model =
          new Eagle3DraftModel(
              config, params, trainable, d2t, attention, LinearOps.of(Precision.FP32, ops));
      record(
          worst,
          "inv_freq",
          relative(
              model.inverseFrequencies().toFloatArray(),
              weights.get("rotary_emb.inv_freq").toFloatArray()));

      Map<String, NDArray> trainableParams = new LinkedHashMap<>();
      for (String name : model.trainableNames()) {
        trainableParams.put(name, params.get(name));
      }
      JsonNode opt = cs.get("optimizer");
      ReferenceAdamW.Settings upstream = optimizerSettings(opt);
      Optimizer adamw = optimizer.create(trainableParams, upstream);
      double maxNorm = opt.path("grad_clip_max_norm").asDouble(1.0);
      // the yardstick of our updates: upstream's AdamW replayed on our own clipped gradients
      ReferenceAdamW replay = new ReferenceAdamW(upstream);
      JsonNode sched = cs.get("scheduler");
      LearningRateSchedule schedule =
          new LearningRateSchedule(
              LearningRateSchedule.Kind.LINEAR,
              opt.get("lr").asDouble(),
              sched.get("warmup_steps").asLong(),
              sched.get("total_steps").asLong(),
              0.5);
      record(
          worst,
          "lr",
          Math.abs(schedule.lr(0) - sched.get("lr_step1").asDouble())
              + Math.abs(schedule.lr(1) - sched.get("lr_step2").asDouble()));

      int steps = draft.get("ttt_steps").asInt();
      double decay = draft.get("ttt_step_loss_decay").asDouble();
      TttInputs inputs =
          draft.get("use_off_policy_tokens").asBoolean() ? TttInputs.GROUND_TRUTH : TttInputs.DRAFT;

      if (schedule.lr(0) > 0) {
        record(
            worst,
            "adam_ref",
            replayOfUpstream(upstream, trainable, weights, expected, maxNorm, schedule.lr(0)));
      }
      for (int step = 1; step <= 2; step++) {
        JsonNode exp = cs.get(step == 1 ? "expected" : "expected_step2");
        Map<String, float[]> before = snapshot(trainableParams);
        adamw.zeroGrad();
        try (NDManager stepManager = manager.newSubManager()) {
          PackedBatch pb = batch(stepManager, batch);
          TttResult r;
          try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            r = model.forward(pb, steps, decay, inputs, step == 1);
            gc.backward(r.loss());
          }
          compareForward(worst, step, r, exp, expected);
          if (step == 1) {
            for (String name : trainableParams.keySet()) {
              NDArray g = trainableParams.get(name).getGradient();
              g.attach(stepManager);
              record(
                  worst,
                  "grad",
                  relative(g.toFloatArray(), expected.get("grad." + name).toFloatArray()));
            }
          }
        }
        double norm = GradientClipping.clipGlobalNorm(trainableParams.values(), maxNorm);
        record(
            worst,
            "grad_norm",
            Math.abs(norm - exp.get("grad_total_norm_before_clip").asDouble())
                / exp.get("grad_total_norm_before_clip").asDouble());
        double lr = schedule.lr(step - 1);
        Map<String, double[]> replayed = new HashMap<>();
        try (NDManager scratch = manager.newSubManager()) {
          for (Map.Entry<String, NDArray> e : trainableParams.entrySet()) {
            NDArray g = e.getValue().getGradient();
            g.attach(scratch);
            replayed.put(
                e.getKey(), replay.step(e.getKey(), before.get(e.getKey()), g.toFloatArray(), lr));
          }
        }
        adamw.step(lr);
        String prefix = step == 1 ? "updated." : "updated2.";
        for (String name : trainableParams.keySet()) {
          float[] now = trainableParams.get(name).toFloatArray();
          float[] want = expected.get(prefix + name).toFloatArray();
          record(worst, "params" + step, relative(now, want));
          if (lr > 0) {
            record(
                worst,
                "update" + step,
                ReferenceAdamW.updateError(before.get(name), now, replayed.get(name), lr));
          }
        }
      }
    }
    return new GoldenResult(dir.getFileName().toString(), measures(worst));
  }

  private static void compareForward(
      Map<String, Double> worst,
      int step,
      TttResult r,
      JsonNode exp,
      Map<String, HostTensor> expected) {
    record(
        worst,
        "loss",
        Math.abs(r.loss().getFloat() - exp.get("loss").asDouble())
            / Math.abs(exp.get("loss").asDouble()));
    for (int k = 0; k < r.stepLosses().length; k++) {
      double m =
          Math.max(
              Math.abs(r.stepLosses()[k] - exp.get("loss_" + k).asDouble()),
              Math.max(
                  Math.abs(r.fullAccuracy()[k] - exp.get("full_acc_" + k).asDouble()),
                  Math.abs(r.conditionalAccuracy()[k] - exp.get("cond_acc_" + k).asDouble())));
      record(worst, "metrics", m);
    }
    if (step != 1) {
      return;
    }
    long[] want = expected.get("draft_tokens").toLongArray();
    int t = r.draftTokens()[0].length;
    long mismatches = 0;
    for (int k = 0; k < r.draftTokens().length; k++) {
      for (int i = 0; i < t; i++) {
        mismatches += r.draftTokens()[k][i] == want[k * t + i] ? 0 : 1;
      }
      record(
          worst,
          "logits",
          relative(r.logits().get(k).toFloatArray(), expected.get("logits_" + k).toFloatArray()));
    }
    record(worst, "draft_tokens", mismatches);
  }

  /** A case's draft parameters (without the vocabulary mapping and rotary buffers) in {@code m}. */
  public static Map<String, NDArray> params(NDManager m, Map<String, HostTensor> weights) {
    Map<String, NDArray> params = new LinkedHashMap<>();
    for (Map.Entry<String, HostTensor> e : weights.entrySet()) {
      String name = e.getKey();
      if (!name.equals("d2t") && !name.equals("t2d") && !name.startsWith("rotary_emb.")) {
        params.put(name, Tensors.toNDArray(m, e.getValue()));
      }
    }
    return params;
  }

  /** A case's packed batch ({@code batch.safetensors}) in {@code m}. */
  public static PackedBatch batch(NDManager m, Map<String, HostTensor> b) {
    int t = (int) b.get("input_ids").dim(1);
    HostTensor aux = b.get("hidden_states");
    HostTensor last = b.get("verifier_last_hidden_states");
    return new PackedBatch(
        Tensors.toNDArray(m, b.get("input_ids").reshape(t)),
        Tensors.toNDArray(m, aux.reshape(t, aux.dim(2))),
        Tensors.toNDArray(m, last.reshape(t, last.dim(2))),
        Tensors.toNDArray(m, b.get("loss_mask").reshape(t)),
        Tensors.toNDArray(m, b.get("position_ids").reshape(t)),
        PackedDocuments.fromLengths(b.get("lengths").toLongArray(), t));
  }

  /** The draft's configuration recorded in a case's {@code case.json}. */
  public static DraftConfig config(JsonNode cs) {
    JsonNode d = cs.get("draft");
    JsonNode v = cs.get("verifier");
    return new DraftConfig(
        d.get("hidden_size").asInt(),
        d.get("intermediate_size").asInt(),
        d.get("num_attention_heads").asInt(),
        d.get("num_key_value_heads").asInt(),
        d.get("head_dim").asInt(),
        d.get("num_layers").asInt(),
        v.get("vocab_size").asInt(),
        d.get("draft_vocab_size").asInt(),
        d.get("rms_norm_eps").asDouble(),
        v.get("rms_norm_eps").asDouble(),
        RopeConfig.plain(d.get("rope_theta").asDouble()),
        d.get("norm_before_residual").asBoolean());
  }

  private static Map<String, float[]> snapshot(Map<String, NDArray> params) {
    Map<String, float[]> out = new HashMap<>();
    params.forEach((k, v) -> out.put(k, v.toFloatArray()));
    return out;
  }

  /** max|a−b| / max|b|. */
  static double relative(float[] a, float[] b) {
    if (a.length != b.length) {
      return Double.POSITIVE_INFINITY;
    }
    double diff = 0;
    double scale = 0;
    for (int i = 0; i < a.length; i++) {
      diff = Math.max(diff, Math.abs((double) a[i] - b[i]));
      scale = Math.max(scale, Math.abs((double) b[i]));
    }
    return scale == 0 ? diff : diff / scale;
  }

  static ReferenceAdamW.Settings optimizerSettings(JsonNode opt) {
    return new ReferenceAdamW.Settings(
        opt.get("betas").get(0).asDouble(),
        opt.get("betas").get(1).asDouble(),
        opt.get("eps").asDouble(),
        opt.get("weight_decay").asDouble());
  }

  /**
   * Checks the yardstick against upstream: its AdamW replayed on upstream's recorded step-1
   * gradients (clipped as {@code clip_grad_norm_} does) must give upstream's recorded step-1
   * parameters. Same gradients on both sides, so this comparison is well-conditioned too.
   */
  private static double replayOfUpstream(
      ReferenceAdamW.Settings settings,
      Set<String> trainable,
      Map<String, HostTensor> weights,
      Map<String, HostTensor> expected,
      double maxNorm,
      double lr) {
    double sumSquares = 0;
    for (String name : trainable) {
      for (float g : expected.get("grad." + name).toFloatArray()) {
        sumSquares += (double) g * g;
      }
    }
    double coef = Math.min(1.0, maxNorm / (Math.sqrt(sumSquares) + 1e-6));
    ReferenceAdamW replay = new ReferenceAdamW(settings);
    double worst = 0;
    for (String name : trainable) {
      float[] grad = expected.get("grad." + name).toFloatArray();
      for (int i = 0; i < grad.length; i++) {
        grad[i] = (float) (grad[i] * coef);
      }
      float[] before = weights.get(name).toFloatArray();
      double[] after = replay.step(name, before, grad, lr);
      float[] recorded = expected.get("updated." + name).toFloatArray();
      worst = Math.max(worst, ReferenceAdamW.updateError(before, recorded, after, lr));
    }
    return worst;
  }

  private static void record(Map<String, Double> worst, String key, double value) {
    worst.merge(
        key, value, (a, b) -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b));
  }

  private static List<Measure> measures(Map<String, Double> worst) {
    List<Measure> out = new ArrayList<>();
    for (Map.Entry<String, Double> e : worst.entrySet()) {
      out.add(new Measure(e.getKey(), e.getValue(), tolerance(e.getKey())));
    }
    return out;
  }

  private static double tolerance(String quantity) {
    if (quantity.startsWith("update") || quantity.equals("adam_ref")) {
      return Tolerances.UPDATE_OVER_LR;
    } else if (quantity.startsWith("params")) {
      return Tolerances.PARAM_REL;
    }
    switch (quantity) {
      case "draft_tokens":
        return 0;
      case "metrics":
        return Tolerances.METRICS_ABS;
      case "grad":
      case "grad_norm":
        return Tolerances.GRAD_REL;
      case "lr":
        return 1e-12;
      case "inv_freq":
        return 1e-6;
      default:
        return Tolerances.LOGITS_REL;
    }
  }
}
