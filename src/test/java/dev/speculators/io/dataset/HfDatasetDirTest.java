package dev.speculators.io.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfDatasetDirTest {
  static final Path UPSTREAM_DATASET = Path.of("src/test/resources/train/speculators-0.5/dataset");

  @Test
  void readsTheRowsUpstreamsSaveToDiskWrote() throws IOException {
    assertThat(HfDatasetDir.isOne(UPSTREAM_DATASET)).isTrue();
    assertThat(HfDatasetDir.isOne(UPSTREAM_DATASET.resolve("hidden_states"))).isFalse();
    HfDatasetDir dir = HfDatasetDir.open(UPSTREAM_DATASET);
    assertThat(dir.dataFiles())
        .extracting(p -> p.getFileName().toString())
        .containsExactly("data-00000-of-00001.arrow");
    List<Long> seqLens = new ArrayList<>();
    List<long[]> ids = new ArrayList<>();
    dir.scan(
        List.of("input_ids", "loss_mask", "seq_len"),
        (row, r) -> {
          assertThat(row).isEqualTo(seqLens.size());
          long[] x = r.integers("input_ids");
          long[] m = r.integers("loss_mask");
          assertThat(m).hasSameSizeAs(x);
          assertThat(m).containsOnly(0, 1);
          seqLens.add(r.integer("seq_len"));
          ids.add(x);
        });
    // prepare_data.py shuffled the eight speculator-format rows with its seed; seq_len as it wrote
    assertThat(seqLens).containsExactly(37L, 34L, 47L, 36L, 39L, 47L, 46L, 31L);
    assertThat(ids.get(0)).startsWith(1, 3, 3, 7);
    assertThatThrownBy(() -> dir.scan(List.of("messages"), (row, r) -> {}))
        .hasMessageContaining("no column 'messages'")
        .hasMessageContaining("[input_ids, loss_mask, seq_len]");
  }

  /**
   * Other writers may use the random-access file format, large lists, 32-bit ids or boolean masks
   * (a file pyarrow wrote, see the README of io/).
   */
  @Test
  void readsTheFileFormatLargeListsAndBooleanMasks(@TempDir Path tmp) throws IOException {
    Files.copy(
        Path.of("src/test/resources/io/arrow/file-format-large-lists.arrow"),
        tmp.resolve("data-00000-of-00001.arrow"));
    assertThat(HfDatasetDir.isOne(tmp)).isTrue();
    List<String> seen = new ArrayList<>();
    HfDatasetDir.open(tmp)
        .scan(
            List.of("input_ids", "loss_mask"),
            (row, r) ->
                seen.add(
                    row
                        + ":"
                        + java.util.Arrays.toString(r.integers("input_ids"))
                        + java.util.Arrays.toString(r.integers("loss_mask"))
                        + r.integer("seq_len")));
    assertThat(seen).containsExactly("0:[5, 6, 7][0, 1, 1]3", "1:[9, 10][1, 0]2");
    // integer() of a list column says what the column is
    assertThatThrownBy(
            () -> HfDatasetDir.open(tmp).scan(List.of(), (row, r) -> r.integer("input_ids")))
        .hasMessageContaining("row 0: column 'input_ids' is LargeList, not an integer");
  }

  @Test
  void refusesDirectoriesItCannotRead(@TempDir Path tmp) throws IOException {
    assertThatThrownBy(() -> HfDatasetDir.open(tmp)).hasMessageContaining("no Arrow data files");
    Files.writeString(
        tmp.resolve("state.json"), "{\"_data_files\": [{\"filename\": \"data-0.arrow\"}]}");
    assertThatThrownBy(() -> HfDatasetDir.open(tmp))
        .hasMessageContaining("_data_files[0] names")
        .hasMessageContaining("missing");
    Files.writeString(
        tmp.resolve("state.json"),
        "{\"_data_files\": [], \"_indices_data_files\": [{\"filename\": \"i.arrow\"}]}");
    assertThatThrownBy(() -> HfDatasetDir.open(tmp)).hasMessageContaining("flatten_indices()");
    Files.writeString(tmp.resolve("state.json"), "{\"_data_files\": [{\"filename\": \"../x\"}]}");
    assertThatThrownBy(() -> HfDatasetDir.open(tmp)).hasMessageContaining("no usable filename");
    Files.writeString(tmp.resolve("state.json"), "{");
    assertThatThrownBy(() -> HfDatasetDir.open(tmp)).hasMessageContaining("not valid JSON");
  }
}
