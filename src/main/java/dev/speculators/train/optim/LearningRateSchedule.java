package dev.speculators.train.optim;

/**
 * Learning-rate schedules of upstream training ({@code transformers}' linear and cosine schedules
 * with warmup, or constant). Optimizer step n (1-based) uses {@code lr(n − 1)}, exactly like a
 * {@code LambdaLR} stepped after each optimizer step.
 */
public final class LearningRateSchedule {
  /** Schedule shape. */
  public enum Kind {
    LINEAR,
    COSINE,
    NONE
  }

  private final Kind kind;
  private final double baseLr;
  private final long warmupSteps;
  private final long totalSteps;
  private final double cosineCycles;

  public LearningRateSchedule(
      Kind kind, double baseLr, long warmupSteps, long totalSteps, double cosineCycles) {
    if (totalSteps < 1) {
      throw new IllegalArgumentException("total training steps must be >= 1, got " + totalSteps);
    }
    this.kind = kind;
    this.baseLr = baseLr;
    this.warmupSteps = Math.max(0, warmupSteps);
    this.totalSteps = totalSteps;
    this.cosineCycles = cosineCycles;
  }

  /** Upstream default warmup: 1% of all steps (integer division). */
  public static long defaultWarmup(long totalSteps) {
    return totalSteps / 100;
  }

  /** Learning rate after {@code completedSteps} scheduler steps. */
  public double lr(long completedSteps) {
    return baseLr * factor(completedSteps);
  }

  double factor(long s) {
    if (kind == Kind.NONE) {
      return 1.0;
    }
    if (s < warmupSteps) {
      return (double) s / Math.max(1, warmupSteps);
    }
    double progress = (double) (s - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
    if (kind == Kind.LINEAR) {
      return Math.max(0.0, (double) (totalSteps - s) / Math.max(1, totalSteps - warmupSteps));
    }
    return Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * cosineCycles * 2.0 * progress)));
  }

  public long warmupSteps() {
    return warmupSteps;
  }

  public long totalSteps() {
    return totalSteps;
  }
}
