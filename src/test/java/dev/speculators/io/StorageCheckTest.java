package dev.speculators.io;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The verdicts and the one wording every storage check reports in. */
class StorageCheckTest {
  private static final long GIB = 1L << 30;

  private static StorageCheck check(long needed, long available, boolean upperBound) {
    return new StorageCheck(
        "the dataset",
        needed,
        available,
        upperBound,
        "1000 samples × mean 812 tokens",
        "storage.size 10Gi");
  }

  @Test
  void tooSmallRefusesWithBothNumbersAndTheSizeToAskFor() {
    StorageCheck c = check(12 * GIB + GIB / 3, 10 * GIB, false);
    assertThat(c.verdict()).isEqualTo(StorageCheck.Verdict.TOO_SMALL);
    assertThat(c.refuses()).isTrue();
    assertThat(c.warns()).isFalse();
    assertThat(c.suggestedQuantity()).isEqualTo("15Gi");
    assertThat(c.message())
        .isEqualTo(
            "the dataset needs about 12.3 GiB (1000 samples × mean 812 tokens) but storage.size"
                + " 10Gi holds only 10.0 GiB; ask for at least 15Gi");
  }

  @Test
  void anUpperBoundThatDoesNotFitOnlyWarns() {
    StorageCheck c = check(12 * GIB, 10 * GIB, true);
    assertThat(c.refuses()).isFalse();
    assertThat(c.warns()).isTrue();
    assertThat(c.message()).contains("needs at most about 12.0 GiB").contains("upper bound");
  }

  @Test
  void closeWarnsAndFitsIsQuiet() {
    assertThat(check(95 * GIB / 10, 10 * GIB, false).verdict())
        .isEqualTo(StorageCheck.Verdict.CLOSE);
    assertThat(check(95 * GIB / 10, 10 * GIB, false).warns()).isTrue();
    assertThat(check(5 * GIB, 10 * GIB, false).verdict()).isEqualTo(StorageCheck.Verdict.FITS);
    assertThat(check(5 * GIB, 10 * GIB, false).warns()).isFalse();
    assertThat(StorageCheck.human(1023)).isEqualTo("1023 B");
    assertThat(StorageCheck.human(1536)).isEqualTo("1.5 KiB");
  }
}
