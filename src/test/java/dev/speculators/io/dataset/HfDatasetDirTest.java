package dev.speculators.io.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.impl.UnionLargeListWriter;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
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
   * Other writers may use the random-access file format, large lists, 32-bit ids or boolean masks.
   */
  @Test
  void readsTheFileFormatLargeListsAndBooleanMasks(@TempDir Path tmp) throws IOException {
    Path arrow = tmp.resolve("data-00000-of-00002.arrow");
    try (BufferAllocator allocator = new RootAllocator();
        LargeListVector ids = LargeListVector.empty("input_ids", allocator);
        ListVector mask = ListVector.empty("loss_mask", allocator);
        IntVector seq = new IntVector("seq_len", allocator)) {
      UnionLargeListWriter w = ids.getWriter();
      UnionListWriter mw = mask.getWriter();
      long[][] rows = {{5, 6, 7}, {9, 10}};
      boolean[][] masks = {{false, true, true}, {true, false}};
      for (int r = 0; r < rows.length; r++) {
        w.setPosition(r);
        w.startList();
        mw.setPosition(r);
        mw.startList();
        for (int k = 0; k < rows[r].length; k++) {
          w.integer().writeInt((int) rows[r][k]);
          mw.bit().writeBit(masks[r][k] ? 1 : 0);
        }
        w.endList();
        mw.endList();
        seq.setSafe(r, rows[r].length);
      }
      ids.setValueCount(2);
      mask.setValueCount(2);
      seq.setValueCount(2);
      try (VectorSchemaRoot root = VectorSchemaRoot.of(ids, mask, seq);
          FileChannel ch =
              FileChannel.open(arrow, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
          ArrowFileWriter writer = new ArrowFileWriter(root, null, ch)) {
        writer.start();
        writer.writeBatch();
        writer.end();
      }
    }
    Files.writeString(
        tmp.resolve("state.json"),
        "{\"_data_files\": [{\"filename\": \"data-00000-of-00002.arrow\"}]}");
    List<String> seen = new ArrayList<>();
    HfDatasetDir.open(tmp)
        .scan(
            List.of("input_ids", "loss_mask"),
            (row, r) ->
                seen.add(
                    java.util.Arrays.toString(r.integers("input_ids"))
                        + java.util.Arrays.toString(r.integers("loss_mask"))
                        + r.integer("seq_len")));
    assertThat(seen).containsExactly("[5, 6, 7][0, 1, 1]3", "[9, 10][1, 0]2");
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
