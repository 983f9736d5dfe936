package dev.speculators.train.data;

/**
 * Training-time augmentation: every auxiliary hidden-state value gets {@code U(-std, +std)} added
 * (upstream {@code AddUniformNoise}, default std 0.05).
 *
 * <p>As upstream HEAD does, only the auxiliary states (the fc input) are noised; the verifier's
 * last-layer states, from which the targets are computed, stay exact. Upstream v0.3/v0.4 also
 * noised the targets. The noise is drawn in float32 after widening (upstream adds it in the stored
 * dtype, bf16), from a generator seeded per (seed, epoch, sample), so a row's noise does not depend
 * on which thread packs it or in which order, and a resumed run sees the same noise.
 */
public final class UniformNoise {
  private static final UniformNoise NONE = new UniformNoise(0, 0);
  private final float std;
  private final long seed;

  private UniformNoise(float std, long seed) {
    this.std = std;
    this.seed = seed;
  }

  /** No augmentation (validation, evaluation, fixtures). */
  public static UniformNoise none() {
    return NONE;
  }

  /**
   * Noise of half-width {@code std}; {@code std == 0} is the same as {@link #none()}.
   *
   * @throws IllegalArgumentException for negative or non-finite {@code std}
   */
  public static UniformNoise of(double std, long seed) {
    if (!(std >= 0) || Double.isInfinite(std)) {
      throw new IllegalArgumentException("noise std must be a finite number >= 0, got " + std);
    }
    return std == 0 ? NONE : new UniformNoise((float) std, seed);
  }

  public boolean isNone() {
    return std == 0;
  }

  public float std() {
    return std;
  }

  /** The generator for one sample in one epoch, or null when there is no noise. */
  SplitMix64 generator(int epoch, int sample) {
    return isNone() ? null : SplitMix64.of(seed, epoch, sample);
  }

  /** Adds noise to {@code values[0, n)}. */
  void apply(SplitMix64 rng, float[] values, int n) {
    rng.addCenteredUniform(values, n, 2 * std);
  }
}
