package dev.speculators.datagen;

/**
 * The SplitMix64 generator (Steele, Lea and Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014): a 64-bit counter advanced by the golden-ratio constant and passed
 * through a fixed mixing function. It is written out here rather than taken from the JDK so that
 * the sample plan — shuffles, turn dropout — is identical on every JVM, in every shard and in every
 * later version of this worker.
 */
public final class SplitMix64 {
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
  private long state;

  public SplitMix64(long seed) {
    this.state = seed;
  }

  /**
   * A generator for one purpose (a shuffle, one conversation's dropout) derived from the run seed.
   */
  public static SplitMix64 derive(long seed, String purpose, long... ids) {
    long h = mix(seed ^ GOLDEN_GAMMA);
    for (int i = 0; i < purpose.length(); i++) {
      h = mix(h ^ purpose.charAt(i));
    }
    for (long id : ids) {
      h = mix(h ^ mix(id + GOLDEN_GAMMA));
    }
    return new SplitMix64(h);
  }

  public long nextLong() {
    state += GOLDEN_GAMMA;
    return mix(state);
  }

  /** Uniform in [0, bound), unbiased (rejection of the short top range). */
  public long nextLong(long bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive: " + bound);
    }
    long limit = Long.remainderUnsigned(-bound, bound); // 2^64 mod bound
    while (true) {
      long r = nextLong();
      if (Long.compareUnsigned(r, limit) >= 0) {
        return Long.remainderUnsigned(r, bound);
      }
    }
  }

  /** Fisher–Yates shuffle of {@code 0..n-1}, swapping from the last position down. */
  public int[] permutation(int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = (int) nextLong(i + 1L);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
