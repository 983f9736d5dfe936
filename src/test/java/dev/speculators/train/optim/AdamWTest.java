package dev.speculators.train.optim;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdamWTest {

  @Test
  void stepsLeaveNoArraysBehindAndTheFirstStepIsTorchsClosedForm() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray p = m.create(new float[] {0.5f, -1.0f, 2.0f, 0.25f}, new Shape(2, 2));
      p.setRequiresGradient(true);
      float[] before = p.toFloatArray();
      double lr = 1e-2;
      double wd = 0.1;
      List<Integer> managed = new ArrayList<>();
      try (AdamW adamw = AdamW.withTorchDefaults(Map.of("w", p), wd)) {
        for (int step = 0; step < 5; step++) {
          adamw.zeroGrad();
          try (NDManager s = m.newSubManager()) {
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
              NDArray x = s.create(new float[] {1f, 2f, 3f, 4f}, new Shape(2, 2));
              gc.backward(x.mul(p).mul(p).sum()); // d/dp = 2·x·p
            }
          }
          adamw.step(lr);
          managed.add(m.getManagedArrays().size());
          if (step == 0) {
            // torch.optim.AdamW, step 1 from zero moments: p·(1 − lr·wd) − lr·g/(|g| + eps)
            float[] now = p.toFloatArray();
            float[] x = {1f, 2f, 3f, 4f};
            for (int i = 0; i < 4; i++) {
              double g = 2 * x[i] * before[i];
              double want = before[i] * (1 - lr * wd) - lr * g / (Math.abs(g) + 1e-8);
              assertThat((double) now[i])
                  .isCloseTo(want, org.assertj.core.data.Offset.offset(1e-7));
            }
          }
        }
      }
      // every temporary of a step is freed with it: the same arrays after each step
      assertThat(managed).as("arrays held after each step").containsOnly(managed.get(0));
    }
  }
}
