package dev.speculators.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DatasetSplitTest {
  @Test
  void partitionsAllFilesDeterministically() {
    DatasetSplit a = DatasetSplit.of(50, 0.1, 0);
    DatasetSplit b = DatasetSplit.of(50, 0.1, 0);
    assertThat(a).isEqualTo(b);
    assertThat(a.validation()).hasSize(5);
    assertThat(a.train()).hasSize(45);
    Set<Integer> all = new HashSet<>(a.train());
    all.addAll(a.validation());
    assertThat(all).hasSize(50);
    assertThat(DatasetSplit.of(50, 0.1, 1)).isNotEqualTo(a);
  }

  @Test
  void validationCountFollowsTheRatioWithAtLeastOneHeldOut() {
    assertThat(DatasetSplit.validationCount(10, 0.1)).isEqualTo(1);
    assertThat(DatasetSplit.validationCount(11, 0.1))
        .isEqualTo(2); // as upstream: int(11 * 0.9) = 9 train
    assertThat(DatasetSplit.validationCount(3, 0.1)).isEqualTo(1);
    assertThat(DatasetSplit.validationCount(2, 0.1)).isEqualTo(1);
    assertThat(DatasetSplit.validationCount(1, 0.1)).isZero();
    assertThat(DatasetSplit.validationCount(100, 0)).isZero();
    assertThat(DatasetSplit.validationCount(4, 0.99)).isEqualTo(3);
    assertThat(DatasetSplit.validationCount(1000, 0.25)).isEqualTo(250);
  }

  @Test
  void rejectsRatiosOutsideTheUnitInterval() {
    assertThatThrownBy(() -> DatasetSplit.of(10, 1.0, 0)).hasMessageContaining("validation ratio");
    assertThatThrownBy(() -> DatasetSplit.of(10, -0.1, 0)).hasMessageContaining("validation ratio");
    assertThatThrownBy(() -> DatasetSplit.of(10, Double.NaN, 0))
        .hasMessageContaining("validation ratio");
  }
}
