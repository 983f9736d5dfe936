package dev.speculators.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MultipackSamplerTest {
  private static long[] randomLengths(int n, int max, long seed) {
    Random r = new Random(seed);
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      out[i] = 1 + r.nextInt(max);
    }
    return out;
  }

  private static long fill(MultipackSampler s, int[] bin) {
    long sum = 0;
    for (int i : bin) {
      sum += s.clippedLength(i);
    }
    return sum;
  }

  @Test
  void everyBinFitsAndNoSampleIsUsedTwice() {
    long[] lengths = randomLengths(2000, 3000, 1);
    for (int world : new int[] {1, 2, 3, 8}) {
      MultipackSampler s = new MultipackSampler(lengths, 4096, world, 7);
      for (int epoch = 0; epoch < 3; epoch++) {
        Set<Integer> seen = new HashSet<>();
        for (int[][] step : s.steps(epoch)) {
          assertThat(step.length).isEqualTo(world);
          for (int[] bin : step) {
            assertThat(fill(s, bin)).isLessThanOrEqualTo(4096);
            for (int i : bin) {
              assertThat(seen.add(i)).as("sample %d used twice in epoch %d", i, epoch).isTrue();
            }
          }
        }
        // only the tail of the permutation that cannot give every rank a sample is left over
        assertThat(lengths.length - seen.size()).isLessThan(world);
      }
    }
  }

  @Test
  void stepsConsumeTheShuffledOrderInContiguousMaximalChunks() {
    // with one rank LPT packs a set iff its sum fits, so the steps are the greedy prefixes
    long[] lengths = randomLengths(500, 900, 3);
    MultipackSampler s = new MultipackSampler(lengths, 2048, 1, 11);
    int[] order = s.permutation(4);
    List<int[]> expected = new ArrayList<>();
    int start = 0;
    while (start < order.length) {
      int end = start;
      long sum = 0;
      while (end < order.length && sum + lengths[order[end]] <= 2048) {
        sum += lengths[order[end++]];
      }
      int[] chunk = Arrays.copyOfRange(order, start, end);
      Arrays.sort(chunk);
      expected.add(chunk);
      start = end;
    }
    List<int[]> actual = new ArrayList<>();
    for (int[] row : s.rowsForRank(4, 0)) {
      int[] sorted = row.clone();
      Arrays.sort(sorted);
      actual.add(sorted);
    }
    assertThat(actual).containsExactlyElementsOf(expected);
  }

  @Test
  void isDeterministicPerSeedAndEpochAndShufflesBetweenEpochs() {
    long[] lengths = randomLengths(300, 1000, 5);
    MultipackSampler a = new MultipackSampler(lengths, 2048, 2, 42);
    MultipackSampler b = new MultipackSampler(lengths, 2048, 2, 42);
    assertThat(a.steps(3)).usingRecursiveComparison().isEqualTo(b.steps(3));
    assertThat(a.rowsForRank(1, 1)).usingRecursiveComparison().isEqualTo(b.rowsForRank(1, 1));
    assertThat(a.permutation(0)).isNotEqualTo(a.permutation(1));
    assertThat(new MultipackSampler(lengths, 2048, 2, 43).permutation(0))
        .isNotEqualTo(a.permutation(0));
    // seed + epoch, as upstream: seed 42 epoch 1 shuffles like seed 43 epoch 0
    assertThat(new MultipackSampler(lengths, 2048, 2, 43).permutation(0))
        .isEqualTo(a.permutation(1));
  }

  @Test
  void ranksGetBalancedRowsOfTheSameStepCount() {
    long[] lengths = randomLengths(4000, 2000, 9);
    int world = 4;
    MultipackSampler s = new MultipackSampler(lengths, 8192, world, 0);
    List<int[][]> steps = s.steps(0);
    long used = 0;
    for (int[][] step : steps) {
      long max = 0;
      long min = Long.MAX_VALUE;
      long longest = 0;
      for (int[] bin : step) {
        long f = fill(s, bin);
        max = Math.max(max, f);
        min = Math.min(min, f);
        used += f;
        for (int i : bin) {
          longest = Math.max(longest, s.clippedLength(i));
        }
      }
      // LPT invariant: bins never differ by more than the longest sample of the step
      assertThat(max - min).isLessThanOrEqualTo(longest);
    }
    for (int rank = 0; rank < world; rank++) {
      assertThat(s.rowsForRank(0, rank)).hasSize(s.stepsPerEpoch(0));
    }
    double efficiency = used / (double) (steps.size() * (long) world * 8192);
    assertThat(efficiency).as("packing efficiency").isGreaterThan(0.9);
  }

  @Test
  void longSamplesAreClippedToTheRowAndPackedAlone() {
    long[] lengths = {100, 5000, 30, 4096, 7};
    MultipackSampler s = new MultipackSampler(lengths, 4096, 1, 0);
    assertThat(s.clippedLength(1)).isEqualTo(4096);
    Set<Integer> seen = new HashSet<>();
    for (int[] row : s.rowsForRank(0, 0)) {
      if (Arrays.stream(row).anyMatch(i -> i == 1 || i == 3)) {
        assertThat(row).hasSize(1);
      }
      Arrays.stream(row).forEach(seen::add);
    }
    assertThat(seen).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
  }

  @Test
  void leftoverSmallerThanWorldIsDroppedAndFewSamplesGiveNoSteps() {
    long[] full = {8, 8, 8, 8, 8};
    MultipackSampler s = new MultipackSampler(full, 8, 2, 0);
    assertThat(s.stepsPerEpoch(0)).isEqualTo(2);
    assertThat(new MultipackSampler(new long[] {3}, 8, 2, 0).stepsPerEpoch(0)).isZero();
    assertThat(new MultipackSampler(new long[0], 8, 1, 0).stepsPerEpoch(0)).isZero();
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> new MultipackSampler(new long[] {1}, 0, 1, 0))
        .hasMessageContaining("row length");
    assertThatThrownBy(() -> new MultipackSampler(new long[] {1}, 8, 0, 0))
        .hasMessageContaining("world size");
    assertThatThrownBy(() -> new MultipackSampler(new long[] {1, -2}, 8, 1, 0))
        .hasMessageContaining("sample 1");
    assertThatThrownBy(() -> new MultipackSampler(new long[] {1}, 8, 2, 0).rowsForRank(0, 2))
        .hasMessageContaining("rank 2");
  }
}
