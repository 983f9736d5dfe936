package dev.speculators.train.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Chooses which samples go into each packed row: one row of at most {@code T} tokens per rank and
 * step, for all ranks of a data-parallel job (eagle3-spec §6, upstream's multipack sampler).
 *
 * <p>Per epoch the sample indices are shuffled with a seeded permutation. Then, repeatedly, the
 * longest prefix of the remaining shuffled samples that fits into {@code world} bins of capacity
 * {@code T} is found by binary search, where "fits" means that longest-processing-time-first
 * scheduling (longest sample into the currently least-filled bin, ties to the lower rank) never
 * overflows a bin. That prefix is one step: bin {@code r} is rank {@code r}'s row. The epoch ends
 * when fewer than {@code world} samples remain; those are dropped for this epoch (a different
 * permutation next epoch drops different ones).
 *
 * <p>Lengths longer than {@code T} are clipped to {@code T} (the row packer truncates the sample).
 *
 * <p>Differences from upstream, on purpose: the permutation comes from a SplitMix64 generator
 * seeded with {@code seed + epoch} (see {@link SeededPermutation}), not from numpy's PCG64
 * generator, so the exact order of samples differs from a Python run with the same seed (the
 * packing rule is the same); and ties between equal lengths are broken by their position in the
 * shuffled order, where numpy's unstable sort leaves them unspecified.
 */
public final class MultipackSampler {
  private final int[] lengths;
  private final int capacity;
  private final int world;
  private final long seed;
  private int cachedEpoch = Integer.MIN_VALUE;
  private List<int[][]> cachedSteps = List.of();

  /**
   * @param lengths the packed length of every sample (tokens it contributes to a row)
   * @param capacity {@code T}, tokens per row
   * @param world number of data-parallel ranks (bins per step)
   * @param seed base seed; epoch {@code e} uses {@code seed + e}
   */
  public MultipackSampler(long[] lengths, int capacity, int world, long seed) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("row length T must be positive, got " + capacity);
    }
    if (world <= 0) {
      throw new IllegalArgumentException("world size must be positive, got " + world);
    }
    this.lengths = new int[lengths.length];
    for (int i = 0; i < lengths.length; i++) {
      if (lengths[i] < 0) {
        throw new IllegalArgumentException("sample " + i + " has negative length " + lengths[i]);
      }
      this.lengths[i] = (int) Math.min(lengths[i], capacity);
    }
    this.capacity = capacity;
    this.world = world;
    this.seed = seed;
  }

  public int capacity() {
    return capacity;
  }

  public int world() {
    return world;
  }

  public int sampleCount() {
    return lengths.length;
  }

  /** The length of sample {@code i} as the sampler sees it (clipped to {@code T}). */
  public int clippedLength(int i) {
    return lengths[i];
  }

  /** Number of rows each rank gets in {@code epoch}; the same on every rank. */
  public int stepsPerEpoch(int epoch) {
    return steps(epoch).size();
  }

  /** The sample indices of rank {@code rank}'s row at every step of {@code epoch}. */
  public List<int[]> rowsForRank(int epoch, int rank) {
    if (rank < 0 || rank >= world) {
      throw new IllegalArgumentException("rank " + rank + " outside [0, " + world + ")");
    }
    List<int[][]> steps = steps(epoch);
    List<int[]> out = new ArrayList<>(steps.size());
    for (int[][] step : steps) {
      out.add(step[rank].clone());
    }
    return out;
  }

  /**
   * Every step of {@code epoch}: {@code steps.get(s)[r]} are the sample indices of rank {@code r}'s
   * row at step {@code s}, in the order they are packed (longest first).
   */
  public synchronized List<int[][]> steps(int epoch) {
    if (epoch != cachedEpoch) {
      cachedSteps = Collections.unmodifiableList(pack(permutation(epoch)));
      cachedEpoch = epoch;
    }
    return cachedSteps;
  }

  /** The shuffled order of all sample indices for {@code epoch}. */
  int[] permutation(int epoch) {
    return SeededPermutation.of(lengths.length, seed + epoch);
  }

  private List<int[][]> pack(int[] order) {
    List<int[][]> steps = new ArrayList<>();
    int start = 0;
    long perStepTokens = (long) capacity * world;
    while (order.length - start >= world) {
      // Upper bound for the prefix size: no prefix holding more tokens than all bins together can
      // fit, so only prefixes up to that point are searched.
      int upper = start;
      long sum = 0;
      while (upper < order.length && sum + lengths[order[upper]] <= perStepTokens) {
        sum += lengths[order[upper]];
        upper++;
      }
      int good = 1;
      int[][] goodBins = lpt(order, start, 1);
      // Invariant: a prefix of size good packs; one of size bad does not (or is out of range).
      int bad = upper - start + 1;
      while (bad - good > 1) {
        int mid = (good + bad) >>> 1;
        int[][] bins = lpt(order, start, mid);
        if (bins != null) {
          good = mid;
          goodBins = bins;
        } else {
          bad = mid;
        }
      }
      steps.add(goodBins);
      start += good;
    }
    return steps;
  }

  /**
   * LPT-packs {@code order[start, start+count)} into {@code world} bins; null when some sample does
   * not fit into the least-filled bin.
   */
  private int[][] lpt(int[] order, int start, int count) {
    Integer[] items = new Integer[count];
    for (int k = 0; k < count; k++) {
      items[k] = k;
    }
    // longest first; equal lengths keep their shuffled order (stable sort)
    Arrays.sort(
        items, (a, b) -> Integer.compare(lengths[order[start + b]], lengths[order[start + a]]));
    long[] fill = new long[world];
    int[][] members = new int[world][count];
    int[] sizes = new int[world];
    for (int k : items) {
      int sample = order[start + k];
      int target = 0;
      for (int r = 1; r < world; r++) {
        if (fill[r] < fill[target]) {
          target = r;
        }
      }
      if (fill[target] + lengths[sample] > capacity) {
        return null;
      }
      fill[target] += lengths[sample];
      members[target][sizes[target]++] = sample;
    }
    int[][] bins = new int[world][];
    for (int r = 0; r < world; r++) {
      bins[r] = Arrays.copyOf(members[r], sizes[r]);
    }
    return bins;
  }
}
