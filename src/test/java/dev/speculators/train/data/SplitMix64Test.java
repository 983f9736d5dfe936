package dev.speculators.train.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SplitMix64Test {
  @Test
  void producesTheReferenceSplitMix64Sequence() {
    // first outputs of the reference C implementation (Vigna) for seed 1234567
    SplitMix64 g = new SplitMix64(1234567);
    String[] expected = {
      "6457827717110365317",
      "3203168211198807973",
      "9817491932198370423",
      "4593380528125082431",
      "16408922859458223821"
    };
    for (String e : expected) {
      assertThat(g.nextLong()).isEqualTo(Long.parseUnsignedLong(e));
    }
  }

  @Test
  void bulkNoiseUsesTheSameDrawsAsNextLong() {
    SplitMix64 bulk = new SplitMix64(99);
    SplitMix64 single = new SplitMix64(99);
    float[] v = new float[7];
    bulk.addCenteredUniform(v, 7, 2f);
    for (int k = 0; k < 7; k += 2) {
      long r = single.nextLong();
      assertThat(v[k]).isEqualTo(Float.intBitsToFloat(0x3f800000 | (int) (r >>> 41)) * 2f - 3f);
      if (k + 1 < 7) {
        assertThat(v[k + 1])
            .isEqualTo(Float.intBitsToFloat(0x3f800000 | ((int) r & 0x7FFFFF)) * 2f - 3f);
      }
    }
    // both generators are at the same point afterwards
    assertThat(bulk.nextLong()).isEqualTo(single.nextLong());
  }

  @Test
  void noiseIsUniformOverTheWholeInterval() {
    SplitMix64 g = SplitMix64.of(1, 2, 3);
    float[] v = new float[200_000];
    g.addCenteredUniform(v, v.length, 0.1f);
    int[] buckets = new int[10];
    double sum = 0;
    for (float x : v) {
      assertThat(x).isBetween(-0.05f, 0.05f);
      buckets[Math.min(9, (int) ((x + 0.05f) / 0.01f))]++;
      sum += x;
    }
    assertThat(sum / v.length).isBetween(-0.0005, 0.0005);
    for (int b : buckets) {
      assertThat(b).isBetween(19_000, 21_000);
    }
    assertThat(SplitMix64.of(1, 2, 3).nextLong()).isNotEqualTo(SplitMix64.of(1, 2, 4).nextLong());
    assertThat(SplitMix64.of(1, 2, 3).nextLong()).isNotEqualTo(SplitMix64.of(1, 3, 2).nextLong());
  }
}
