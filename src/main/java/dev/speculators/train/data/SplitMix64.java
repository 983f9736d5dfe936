package dev.speculators.train.data;

/**
 * The SplitMix64 generator (Steele, Lea, Flood 2014), written out here so that the sequence for a
 * seed is fixed by this code and not by a JDK version: shuffles, splits and noise are reproducible
 * across machines and JVMs, which matters when a training run resumes elsewhere.
 */
final class SplitMix64 {
  private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
  private static final int ONE_BITS = 0x3f800000;
  private static final int MANTISSA = 0x7FFFFF;
  private long state;

  SplitMix64(long seed) {
    this.state = seed;
  }

  /** A generator seeded from several values, e.g. (seed, epoch, sample). */
  static SplitMix64 of(long... parts) {
    long s = 0x5DEECE66DL;
    for (long p : parts) {
      s = mix(s ^ mix(p + GOLDEN_GAMMA));
    }
    return new SplitMix64(s);
  }

  long nextLong() {
    state += GOLDEN_GAMMA;
    return mix(state);
  }

  /**
   * Adds {@code (u - 0.5) * scale} to {@code values[0, n)}, {@code u} uniform in {@code [0, 1)}
   * with 23 random bits, two per 64-bit draw (bits 41..63, then bits 0..22). The same as {@link
   * #nextLong()} called {@code ceil(n / 2)} times. {@code u} is built as a float in {@code [1, 2)}
   * from its mantissa bits, because converting a long to float costs more than the draw itself.
   */
  void addCenteredUniform(float[] values, int n, float scale) {
    long s = state;
    int k = 0;
    for (; k + 1 < n; k += 2) {
      s += GOLDEN_GAMMA;
      long r = mix(s);
      values[k] += (Float.intBitsToFloat(ONE_BITS | (int) (r >>> 41)) - 1.5f) * scale;
      values[k + 1] += (Float.intBitsToFloat(ONE_BITS | ((int) r & MANTISSA)) - 1.5f) * scale;
    }
    if (k < n) {
      s += GOLDEN_GAMMA;
      long r = mix(s);
      values[k] += (Float.intBitsToFloat(ONE_BITS | (int) (r >>> 41)) - 1.5f) * scale;
    }
    state = s;
  }

  /** Uniform in {@code [0, bound)}, unbiased (rejection of the incomplete last block). */
  int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive");
    }
    long limit = (1L << 32) - ((1L << 32) % bound);
    while (true) {
      long r = nextLong() >>> 32;
      if (r < limit) {
        return (int) (r % bound);
      }
    }
  }

  /** Uniform in {@code [0, 1)} with 24 random bits. */
  float nextFloat() {
    return (nextLong() >>> 40) * 0x1.0p-24f;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
