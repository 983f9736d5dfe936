package dev.speculators.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingDataTest {
  @Test
  void trainRowsAreNoisedValidationRowsAreNotAndTheSplitsNeverMix(@TempDir Path dir)
      throws IOException {
    Path data = Files.createDirectories(dir.resolve("data"));
    java.util.Random r = new java.util.Random(1);
    for (int i = 0; i < 20; i++) {
      TestSamples.writeTagged(data, i, 5 + r.nextInt(30), 4, 4, i);
    }
    SpeculatorsDataset ds = SpeculatorsDataset.open(dir);
    TrainingData td =
        TrainingData.of(
            ds, TrainingData.Options.defaults().withRowLength(48).withValidationRatio(0.2));
    assertThat(td.split().validation()).hasSize(4);
    Set<Integer> train = new HashSet<>();
    int steps = 0;
    try (RowLoader rows = td.trainRows(0)) {
      while (rows.hasNext()) {
        PackedRow row = rows.next();
        steps++;
        for (int s : row.samples()) {
          train.add(s);
        }
        // noise: aux values are no longer the exact tagged values
        float aux0 = row.auxHiddenStates().get(0);
        int first = row.samples()[0];
        assertThat(aux0).isNotEqualTo(TestSamples.value(first, 0, 0, 0));
        assertThat(Math.abs(aux0 - TestSamples.value(first, 0, 0, 0))).isLessThanOrEqualTo(0.05f);
        assertThat(row.verifierLastHiddenStates().get(0))
            .isEqualTo(TestSamples.value(first, 3, 1, 0));
      }
    }
    assertThat(steps).isEqualTo(td.trainStepsPerEpoch(0));
    assertThat(train).doesNotContainAnyElementsOf(td.split().validation());
    try (RowLoader rows = td.validationRows(0)) {
      int v = 0;
      while (rows.hasNext()) {
        PackedRow row = rows.next();
        v++;
        int first = row.samples()[0];
        assertThat(td.split().validation()).contains(first);
        assertThat(row.auxHiddenStates().get(0)).isEqualTo(TestSamples.value(first, 0, 0, 0));
      }
      assertThat(v).isEqualTo(td.validationStepsPerEpoch(0)).isPositive();
    }
    assertThatThrownBy(() -> TrainingData.Options.defaults().withRanks(2, 2))
        .hasMessageContaining("rank 2");
  }
}
