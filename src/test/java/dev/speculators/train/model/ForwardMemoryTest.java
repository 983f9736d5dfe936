package dev.speculators.train.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import dev.speculators.io.HostTensor;
import dev.speculators.io.SafeTensors;
import dev.speculators.train.golden.GoldenCase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A training forward frees its intermediates as it goes: afterwards the step's manager holds the
 * batch, the loss and what autograd needs Java to keep alive (the per-step loss weights and the
 * cache entries), not the hundreds of arrays of the computation (288 at T = 2048 before).
 */
class ForwardMemoryTest {

  @ParameterizedTest
  @EnumSource(Precision.class)
  void onlyTheBatchTheLossAndTheCacheOutliveTheForward(Precision precision) throws Exception {
    Path dir = PrecisionGoldenTest.FIXTURES.resolve("case_two_layers");
    JsonNode cs = PrecisionGoldenTest.JSON.readTree(Files.readAllBytes(dir.resolve("case.json")));
    Map<String, HostTensor> weights = SafeTensors.readAll(dir.resolve("weights.safetensors"));
    Map<String, HostTensor> batch = SafeTensors.readAll(dir.resolve("batch.safetensors"));
    int steps = cs.get("draft").get("ttt_steps").asInt();
    int layers = cs.get("draft").get("num_layers").asInt();
    Set<String> trainable = new LinkedHashSet<>();
    cs.get("draft").get("trainable_parameters").forEach(n -> trainable.add(n.asText()));
    try (NDManager m = NDManager.newBaseManager();
        OpLibrary ops = OpLibrary.load(m)) {
      Map<String, NDArray> params = GoldenCase.params(m, weights);
      Eagle3DraftModel model =
          new Eagle3DraftModel(
              GoldenCase.config(cs),
              params,
              trainable,
              weights.get("d2t").toLongArray(),
              new FusedTttAttention(ops, precision),
              LinearOps.of(precision, ops));
      try (NDManager step = m.newSubManager()) {
        PackedBatch pb = GoldenCase.batch(step, batch);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          TttResult r = model.forward(pb, steps, 1.0, TttInputs.DRAFT, false);
          int held = step.getManagedArrays().size();
          // 5 batch arrays, the loss, one loss weight per step, keys and values per step and layer
          assertThat(held).isLessThanOrEqualTo(5 + 1 + steps + 2 * steps * layers);
          gc.backward(r.loss());
        }
        for (String n : model.trainableNames()) {
          try (NDArray g = params.get(n).getGradient()) {
            assertThat(g.abs().sum().getFloat()).as("gradient of %s", n).isPositive();
          }
        }
      }
    }
  }
}
