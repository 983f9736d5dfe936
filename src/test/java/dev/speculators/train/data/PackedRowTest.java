package dev.speculators.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.speculators.train.model.PackedBatch;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PackedRowTest {
  private static final Path FIXTURE = Path.of("src/test/resources/fixtures/speculators-data");

  private static float[] floats(FloatBuffer b) {
    float[] out = new float[b.remaining()];
    b.get(out);
    return out;
  }

  @Test
  void buffersAreDirectNativeOrderAndSizedForTheRow() {
    PackedRow row = new PackedRow(16, 8, 3);
    assertThat(row.auxHiddenStates().isDirect()).isTrue();
    assertThat(row.auxHiddenStates().order()).isEqualTo(ByteOrder.nativeOrder());
    assertThat(row.auxHiddenStates().remaining()).isEqualTo(16 * 24);
    assertThat(row.verifierLastHiddenStates().remaining()).isEqualTo(16 * 8);
    assertThat(row.inputIds()).hasSize(16);
    assertThatThrownBy(() -> new PackedRow(8192, 1 << 16, 3)).hasMessageContaining("2 GiB");
    assertThatThrownBy(() -> new PackedRow(0, 8, 3)).hasMessageContaining("positive");
  }

  @Test
  void becomesTheDraftModelsBatchWithTheSameValues() throws IOException {
    SpeculatorsDataset ds = SpeculatorsDataset.open(FIXTURE);
    List<AlignedSample> docs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      docs.add(ds.load(i));
    }
    PackedRow row = new PackedRow(128, 64, 3);
    new RowPacker(UniformNoise.none()).pack(docs, new int[] {0, 1, 2}, 0, row);
    try (NDManager m = NDManager.newBaseManager()) {
      PackedBatch b = row.toBatch(m);
      assertThat(b.length()).isEqualTo(128);
      assertThat(b.inputIds().getDataType()).isEqualTo(DataType.INT64);
      assertThat(b.inputIds().toLongArray()).containsExactly(row.inputIds());
      assertThat(b.lossMask().toLongArray()).containsExactly(row.lossMask());
      assertThat(b.positionIds().toLongArray()).containsExactly(row.positionIds());
      assertThat(b.auxHiddenStates().getShape()).isEqualTo(new Shape(128, 192));
      assertThat(b.auxHiddenStates().getDataType()).isEqualTo(DataType.FLOAT32);
      assertThat(b.auxHiddenStates().toFloatArray()).containsExactly(floats(row.auxHiddenStates()));
      assertThat(b.verifierLastHiddenStates().getShape()).isEqualTo(new Shape(128, 64));
      assertThat(b.verifierLastHiddenStates().toFloatArray())
          .containsExactly(floats(row.verifierLastHiddenStates()));
      assertThat(b.documents().count()).isEqualTo(3);
      assertThat(b.documents().boundsRowMajor()).containsExactly(0, 36, 36, 87, 87, 115);
      assertThat(b.documents().paddingStart()).isEqualTo(115);
    }
  }
}
