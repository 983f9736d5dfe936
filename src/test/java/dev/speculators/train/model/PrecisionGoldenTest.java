package dev.speculators.train.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speculators.io.HostTensor;
import dev.speculators.io.SafeTensors;
import dev.speculators.train.golden.GoldenCase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bf16 path against the float32 path on the upstream golden cases (same weights, same packed
 * batch, forward and backward), and the trainer's float32 path against upstream's own numbers.
 *
 * <p>Tolerances for bf16 follow from its precision and the computation's depth. bf16 keeps 8
 * significant bits: rounding an operand errs by at most u = 2^-9 ≈ 2.0e-3 relative. A bf16 matmul
 * rounds both operands and accumulates in float32, so each output carries ≈ 2u of relative error
 * (cancellation in the sum can amplify it, averaging over many terms shrinks it). Each TTT step
 * passes through 5 rounded levels per layer (q/k/v, the attention kernel, o_proj, the MLP's
 * gate/up, its down projection) and lm_head; the norms, softmax and loss run in float32 and add no
 * rounding. After fc, the steps chain through the carried hidden state: D = 1 + K·(5L + 1) levels
 * for K steps of L layers (19 for K = 3, L = 1). Independent roundings add like a random walk, so
 * the relative error of a logit is about 2u·√D (1.7e-2 at D = 19), and 2u·D (7.4e-2) bounds it even
 * if every rounding pointed the same way. Hence:
 *
 * <ul>
 *   <li>logits, max|a−b| / max|b| ≤ 2u·D;
 *   <li>loss ≤ 2e-2 relative: a mean over positions of KL terms, whose errors partly cancel (2u·√D
 *       rounded up);
 *   <li>gradients, per tensor norm-wise ‖a−b‖ / ‖b‖ ≤ 2u·D: the backward runs through the same
 *       depth again in bf16 (another 2u·√D) on top of the forward's error, and a norm-wise measure
 *       is not dominated by elements near zero whose relative error means nothing;
 *   <li>draft tokens: an argmax may flip where the two best logits are closer than the logits'
 *       error; at most 5% of the positions may differ.
 * </ul>
 *
 * A path that silently computed in float32 would give ~1e-7 and fail the "bf16 really ran" check; a
 * wrong cast or a missing gradient gives errors of order 1.
 */
class PrecisionGoldenTest {
  static final Path FIXTURES = Path.of("src/test/resources/fixtures/eagle3");
  static final ObjectMapper JSON = new ObjectMapper();

  static final double U = Math.scalb(1.0, -9);

  record Outcome(double loss, float[][] logits, long[][] drafts, Map<String, float[]> grads) {}

  @ParameterizedTest
  @ValueSource(
      strings = {"case_basic", "case_teacher_forced", "case_two_layers", "case_full_vocab"})
  void bf16StaysWithinItsPrecisionOfFloat32AndFloat32MatchesUpstream(String name)
      throws IOException {
    Path dir = FIXTURES.resolve(name);
    JsonNode cs = JSON.readTree(Files.readAllBytes(dir.resolve("case.json")));
    int steps = cs.get("draft").get("ttt_steps").asInt();
    int levels = depth(steps, cs.get("draft").get("num_layers").asInt());
    Outcome fp32 = run(dir, cs, Precision.FP32);
    Outcome bf16 = run(dir, cs, Precision.BF16);

    // the trainer's float32 path is upstream's computation (same bar as verify-golden)
    Map<String, HostTensor> expected = SafeTensors.readAll(dir.resolve("expected.safetensors"));
    double want = cs.get("expected").get("loss").asDouble();
    assertThat(Math.abs(fp32.loss() - want) / Math.abs(want)).isLessThan(1e-4);
    for (int k = 0; k < steps; k++) {
      assertThat(relMax(fp32.logits()[k], expected.get("logits_" + k).toFloatArray()))
          .as("fp32 logits step %d", k)
          .isLessThan(1e-4);
    }
    for (Map.Entry<String, float[]> g : fp32.grads().entrySet()) {
      assertThat(relMax(g.getValue(), expected.get("grad." + g.getKey()).toFloatArray()))
          .as("fp32 grad %s", g.getKey())
          .isLessThan(1e-4);
    }

    // bf16 against float32
    double lossErr = Math.abs(bf16.loss() - fp32.loss()) / Math.abs(fp32.loss());
    double logitsErr = 0;
    long flipped = 0;
    long positions = 0;
    for (int k = 0; k < steps; k++) {
      logitsErr = Math.max(logitsErr, relMax(bf16.logits()[k], fp32.logits()[k]));
      for (int i = 0; i < fp32.drafts()[k].length; i++) {
        flipped += bf16.drafts()[k][i] == fp32.drafts()[k][i] ? 0 : 1;
        positions++;
      }
    }
    double gradErr = 0;
    String worstGrad = "";
    for (String p : fp32.grads().keySet()) {
      double e = relNorm(bf16.grads().get(p), fp32.grads().get(p));
      if (e > gradErr) {
        gradErr = e;
        worstGrad = p;
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%-20s bf16 vs fp32: loss %.2e, logits %.2e, grads %.2e (%s), draft tokens %d/%d differ;"
            + " bounds 2u√D %.1e, 2uD %.1e (D = %d)%n",
        name,
        lossErr,
        logitsErr,
        gradErr,
        worstGrad,
        flipped,
        positions,
        2 * U * Math.sqrt(levels),
        2 * U * levels,
        levels);
    assertThat(logitsErr).as("logits").isLessThan(2 * U * levels);
    assertThat(lossErr).as("loss").isLessThan(2e-2);
    assertThat(gradErr).as("gradient of %s", worstGrad).isLessThan(2 * U * levels);
    assertThat((double) flipped / positions).as("draft tokens that differ").isLessThan(0.05);
    // and bf16 really ran: float32 reruns agree to ~1e-7, bf16 cannot
    assertThat(logitsErr).as("bf16 rounding is visible").isGreaterThan(1e-4);
  }

  private static Outcome run(Path dir, JsonNode cs, Precision precision) throws IOException {
    Map<String, HostTensor> weights = SafeTensors.readAll(dir.resolve("weights.safetensors"));
    Map<String, HostTensor> batch = SafeTensors.readAll(dir.resolve("batch.safetensors"));
    JsonNode d = cs.get("draft");
    Set<String> trainable = new LinkedHashSet<>();
    d.get("trainable_parameters").forEach(n -> trainable.add(n.asText()));
    try (NDManager m = NDManager.newBaseManager();
        OpLibrary ops = OpLibrary.load(m)) {
      Map<String, NDArray> params = GoldenCase.params(m, weights);
      long[] d2t = weights.containsKey("d2t") ? weights.get("d2t").toLongArray() : null;
      Eagle3DraftModel model =
          new Eagle3DraftModel(
              GoldenCase.config(cs),
              params,
              trainable,
              d2t,
              new FusedTttAttention(ops, precision),
              LinearOps.of(precision, ops));
      PackedBatch pb = GoldenCase.batch(m, batch);
      TttInputs inputs =
          d.get("use_off_policy_tokens").asBoolean() ? TttInputs.GROUND_TRUTH : TttInputs.DRAFT;
      TttResult r;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        r =
            model.forward(
                pb,
                d.get("ttt_steps").asInt(),
                d.get("ttt_step_loss_decay").asDouble(),
                inputs,
                true);
        gc.backward(r.loss());
      }
      float[][] logits = new float[r.logits().size()][];
      for (int k = 0; k < logits.length; k++) {
        logits[k] = r.logits().get(k).toFloatArray();
      }
      Map<String, float[]> grads = new LinkedHashMap<>();
      for (String n : model.trainableNames()) {
        try (NDArray g = params.get(n).getGradient()) {
          grads.put(n, g.toFloatArray());
        }
      }
      return new Outcome(r.loss().getFloat(), logits, r.draftTokens(), grads);
    }
  }

  /**
   * Rounded matmul levels between the inputs and the last step's logits: fc once, then per step and
   * layer q/k/v, the attention kernel, o_proj, gate/up and down, and lm_head per step.
   */
  static int depth(int steps, int layers) {
    return 1 + steps * (5 * layers + 1);
  }

  /** max|a−b| / max|b|. */
  static double relMax(float[] a, float[] b) {
    double diff = 0;
    double scale = 0;
    for (int i = 0; i < b.length; i++) {
      diff = Math.max(diff, Math.abs((double) a[i] - b[i]));
      scale = Math.max(scale, Math.abs((double) b[i]));
    }
    return diff / scale;
  }

  /** ‖a−b‖ / ‖b‖. */
  static double relNorm(float[] a, float[] b) {
    double diff = 0;
    double scale = 0;
    for (int i = 0; i < b.length; i++) {
      diff += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
      scale += (double) b[i] * b[i];
    }
    return Math.sqrt(diff / scale);
  }
}
