package dev.speculators.train.data;

/**
 * Seeded permutations of {@code 0..n-1}: Fisher–Yates over {@link SplitMix64}, so a seed gives the
 * same permutation on every JVM and machine.
 */
final class SeededPermutation {
  private SeededPermutation() {}

  static int[] of(int n, long seed) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    SplitMix64 rng = new SplitMix64(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }
}
