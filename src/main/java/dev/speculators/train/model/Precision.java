package dev.speculators.train.model;

import java.util.Locale;

/**
 * Compute precision of training. {@link #FP32}: everything in float32. {@link #BF16}: what
 * torch.autocast(bfloat16) does for this model — the linear layers (fc, q/k/v/o, the MLP, lm_head
 * and the verifier head of the targets) and the attention kernel run on bf16 copies of their
 * operands with float32 accumulation, while master weights, AdamW moments, gradients, the norms,
 * the log-softmax/KL loss and every reduction stay float32.
 */
public enum Precision {
  FP32("fp32"),
  BF16("bf16");

  private final String flag;

  Precision(String flag) {
    this.flag = flag;
  }

  /** The command-line spelling: {@code fp32} or {@code bf16}. */
  public String flag() {
    return flag;
  }

  /** From the command-line spelling (case-insensitive). */
  public static Precision of(String s) {
    for (Precision p : values()) {
      if (p.flag.equals(s.toLowerCase(Locale.ROOT))) {
        return p;
      }
    }
    throw new IllegalArgumentException("--precision must be fp32 or bf16, got '" + s + "'");
  }

  /** The default on a device: bf16 on a GPU, fp32 on a CPU (bf16 matmuls are not faster there). */
  public static Precision defaultFor(boolean gpu) {
    return gpu ? BF16 : FP32;
  }
}
