package dev.speculators.train.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.speculators.io.HalfFloats;
import org.junit.jupiter.api.Test;

/** The op library's bf16 methods compute in bf16, hand float32 back and keep gradients. */
class OpLibraryTest {

  @Test
  void bf16LinearIsTheFloat32ProductOfBf16RoundedOperandsAndNeverReturnsBf16() {
    try (NDManager m = NDManager.newBaseManager();
        OpLibrary ops = OpLibrary.load(m)) {
      Engine.getInstance().setRandomSeed(3);
      NDArray x = m.randomNormal(new Shape(16, 64));
      NDArray w = m.randomNormal(new Shape(32, 64));
      x.setRequiresGradient(true);
      w.setRequiresGradient(true);
      NDArray y;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        y = LinearOps.bf16(ops).linear(x, w);
        gc.backward(y.sum());
      }
      assertThat(y.getDataType()).isEqualTo(DataType.FLOAT32);
      NDArray grad = w.getGradient();
      assertThat(grad.getDataType()).isEqualTo(DataType.FLOAT32);
      // d(sum(x·wᵀ))/dw[j,k] = Σ_i x[i,k], computed from bf16 x: within bf16 of the exact value
      float[] colSums = x.sum(new int[] {0}).toFloatArray();
      float[] g = grad.toFloatArray();
      for (int j = 0; j < 32; j++) {
        for (int k = 0; k < 64; k++) {
          assertThat((double) g[j * 64 + k])
              .isCloseTo(colSums[k], org.assertj.core.data.Offset.offset(0.02 * 16));
        }
      }
      // bf16 operands, float32 accumulation, a bf16 result (as autocast returns): the float32
      // product of the rounded operands, rounded once more, give or take one bf16 step
      float[] rounded = LinearOps.FP32.linear(bf16Rounded(x), bf16Rounded(w)).toFloatArray();
      float[] got = y.toFloatArray();
      for (int i = 0; i < got.length; i++) {
        assertThat((double) got[i])
            .as("element %d", i)
            .isCloseTo(
                rounded[i], org.assertj.core.data.Offset.offset(Math.abs(rounded[i]) / 128.0));
        assertThat(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(got[i]))).isEqualTo(got[i]);
      }
      NDArray exact = LinearOps.FP32.linear(x, w);
      double vsExact = maxAbs(y.sub(exact)) / maxAbs(exact);
      assertThat(vsExact).as("bf16 rounding is visible").isGreaterThan(1e-4).isLessThan(2e-2);
    }
  }

  @Test
  void theMlpAndProjectionsAgreeWithFloat32WithinBf16AndTheFloat32MlpWithDjl() {
    try (NDManager m = NDManager.newBaseManager();
        OpLibrary ops = OpLibrary.load(m)) {
      Engine.getInstance().setRandomSeed(4);
      NDArray x = m.randomNormal(new Shape(8, 32));
      NDArray g = m.randomNormal(new Shape(48, 32)).div(6);
      NDArray u = m.randomNormal(new Shape(48, 32)).div(6);
      NDArray d = m.randomNormal(new Shape(32, 48)).div(7);
      NDArray reference = LinearOps.FP32.swiGlu(x, g, u, d);
      NDArray fused = LinearOps.of(Precision.FP32, ops).swiGlu(x, g, u, d);
      NDArray bf16 = LinearOps.of(Precision.BF16, ops).swiGlu(x, g, u, d);
      assertThat(maxAbs(fused.sub(reference)) / maxAbs(reference)).isLessThan(1e-6);
      assertThat(maxAbs(bf16.sub(reference)) / maxAbs(reference)).isLessThan(3e-2);
      NDList qkv = LinearOps.of(Precision.BF16, ops).projections(x, g, u, g);
      assertThat(qkv).hasSize(3);
      for (NDArray p : qkv) {
        assertThat(p.getDataType()).isEqualTo(DataType.FLOAT32);
        assertThat(p.getShape()).isEqualTo(new Shape(8, 48));
      }
      assertThat(maxAbs(qkv.get(0).sub(qkv.get(2)))).isZero();
    }
  }

  static NDArray bf16Rounded(NDArray a) {
    float[] v = a.toFloatArray();
    for (int i = 0; i < v.length; i++) {
      v[i] = HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(v[i]));
    }
    return a.getManager().create(v, a.getShape());
  }

  static double maxAbs(NDArray a) {
    return a.abs().max().getFloat();
  }
}
