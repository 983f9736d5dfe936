package dev.speculators.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;

/**
 * The matrix products of the draft in one precision. Inputs, weights and outputs are float32
 * arrays; {@link #bf16} computes on bf16 copies inside the op library (float32 accumulation), as
 * torch.autocast does, and keeps bf16 intermediates (the MLP's) inside it.
 */
public interface LinearOps {

  /** x [..., in] · wᵀ, w [out, in] → [..., out]. */
  NDArray linear(NDArray x, NDArray w);

  /** The q, k, v projections of one input: {x·wqᵀ, x·wkᵀ, x·wvᵀ}. */
  NDList projections(NDArray x, NDArray wq, NDArray wk, NDArray wv);

  /** SwiGLU MLP: down(silu(gate(x)) · up(x)). x [T, H] → [T, H]. */
  NDArray swiGlu(NDArray x, NDArray gate, NDArray up, NDArray down);

  /** Which precision these are. */
  Precision precision();

  /**
   * float32 with DJL's own ops only (inference, and the reference the golden cases check); the
   * trainer uses {@link #of}, whose float32 MLP keeps one [T, I] tensor less for the backward.
   */
  LinearOps FP32 =
      new LinearOps() {
        @Override
        public NDArray linear(NDArray x, NDArray w) {
          return Linear.linear(x, w).singletonOrThrow();
        }

        @Override
        public NDList projections(NDArray x, NDArray wq, NDArray wk, NDArray wv) {
          return new NDList(linear(x, wq), linear(x, wk), linear(x, wv));
        }

        @Override
        public NDArray swiGlu(NDArray x, NDArray gate, NDArray up, NDArray down) {
          return Intermediates.freeAfter(
              () -> {
                NDArray g = linear(x, gate);
                NDArray act = g.mul(Activation.sigmoid(g)).mul(linear(x, up));
                return linear(act, down);
              });
        }

        @Override
        public Precision precision() {
          return Precision.FP32;
        }
      };

  /** bf16 compute through the op library. */
  static LinearOps bf16(OpLibrary ops) {
    return new LinearOps() {
      @Override
      public NDArray linear(NDArray x, NDArray w) {
        return ops.call1("linear_bf16", x, w);
      }

      @Override
      public NDList projections(NDArray x, NDArray wq, NDArray wk, NDArray wv) {
        return ops.call("projections_bf16", x, wq, wk, wv);
      }

      @Override
      public NDArray swiGlu(NDArray x, NDArray gate, NDArray up, NDArray down) {
        return ops.call1("swiglu_bf16", x, gate, up, down);
      }

      @Override
      public Precision precision() {
        return Precision.BF16;
      }
    };
  }

  /** float32 with the MLP in the op library (a fused silu instead of sigmoid times input). */
  static LinearOps fp32(OpLibrary ops) {
    return new LinearOps() {
      @Override
      public NDArray linear(NDArray x, NDArray w) {
        return FP32.linear(x, w);
      }

      @Override
      public NDList projections(NDArray x, NDArray wq, NDArray wk, NDArray wv) {
        return FP32.projections(x, wq, wk, wv);
      }

      @Override
      public NDArray swiGlu(NDArray x, NDArray gate, NDArray up, NDArray down) {
        return ops.call1("swiglu", x, gate, up, down);
      }

      @Override
      public Precision precision() {
        return Precision.FP32;
      }
    };
  }

  /** The trainer's ops of {@code precision}. */
  static LinearOps of(Precision precision, OpLibrary ops) {
    return precision == Precision.BF16 ? bf16(ops) : fp32(ops);
  }
}
