package dev.speculators.datagen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.io.TorchFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetMergerTest {
  @TempDir Path root;

  DatagenLayout layout() {
    return new DatagenLayout(root);
  }

  void shard(
      int i,
      int n,
      String hash,
      long from,
      long to,
      Map<Long, Integer> lengths,
      Map<Object, Object> freq)
      throws Exception {
    for (long row : lengths.keySet()) {
      Files.createDirectories(layout().dataDir());
      Files.writeString(layout().sample(row), "x");
    }
    TorchFiles.save(layout().shardTokenFrequencies(i, n), freq);
    new ShardMarker(hash, i, n, from, to, lengths.size(), 10, 4, List.of(), Map.of(), lengths)
        .write(layout().shardMarker(i, n));
  }

  static ObjectNode config(DatasetMerger.Merged m) {
    return new com.fasterxml.jackson.databind.ObjectMapper()
        .createObjectNode()
        .put("num_samples", m.samples());
  }

  @Test
  void waitsForAllShardsThenSumsThem() throws Exception {
    DatasetMerger merger = new DatasetMerger(layout());
    shard(0, 2, "h", 0, 2, Map.of(0L, 5, 1L, 7), new LinkedHashMap<>(Map.of(3L, 2L, 9L, 1L)));
    assertThat(merger.mergeIfComplete(2, "h", 4, DatasetMergerTest::config)).isNull();
    assertThat(layout().tokenFrequencies()).doesNotExist();
    shard(1, 2, "h", 2, 4, Map.of(3L, 4), new LinkedHashMap<>(Map.of(3L, 1L, 4L, 6L)));
    DatasetMerger.Merged m = merger.mergeIfComplete(2, "h", 4, DatasetMergerTest::config);
    assertThat(m.samples()).isEqualTo(3);
    assertThat(TorchFiles.load(layout().tokenFrequencies()))
        .isEqualTo(Map.of(3L, 3L, 4L, 6L, 9L, 1L));
    assertThat(Files.readString(layout().sampleLengths()))
        .isEqualTo("{\n  \"0\": 5,\n  \"1\": 7,\n  \"3\": 4\n}");
    assertThat(Files.readString(layout().dataConfig())).contains("\"num_samples\": 3");
    // idempotent
    assertThat(merger.mergeIfComplete(2, "h", 4, DatasetMergerTest::config)).isEqualTo(m);
  }

  @Test
  void refusesMarkersOfAnotherPlan() throws Exception {
    shard(0, 1, "other", 0, 1, Map.of(0L, 5), new LinkedHashMap<>());
    assertThatThrownBy(
            () -> new DatasetMerger(layout()).mergeIfComplete(1, "h", 1, DatasetMergerTest::config))
        .hasMessageContaining("belongs to another dataset");
  }

  @Test
  void missingSampleIsReported() throws Exception {
    shard(0, 1, "h", 0, 1, Map.of(0L, 5), new LinkedHashMap<>());
    Files.delete(layout().sample(0));
    assertThatThrownBy(
            () -> new DatasetMerger(layout()).mergeIfComplete(1, "h", 1, DatasetMergerTest::config))
        .hasMessageContaining("data_0.pt is listed by");
  }

  @Test
  void layoutRecognisesSampleAndTemporaryNames() {
    assertThat(DatagenLayout.rowOf(Path.of("data_12.pt"))).isEqualTo(12);
    assertThat(DatagenLayout.rowOf(Path.of("data_12.pt.tmp-3f2a"))).isEqualTo(12);
    assertThat(DatagenLayout.rowOf(Path.of("sample_lengths.json"))).isEqualTo(-1);
  }
}
