package dev.speculators.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ReadOnlyBufferException;
import org.junit.jupiter.api.Test;

class HostTensorTest {

  @Test
  void factoriesRecordDtypeShapeAndValues() {
    HostTensor f = HostTensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    assertThat(f.dtype()).isEqualTo(DType.F32);
    assertThat(f.shape()).containsExactly(2, 3);
    assertThat(f.rank()).isEqualTo(2);
    assertThat(f.numel()).isEqualTo(6);
    assertThat(f.sizeInBytes()).isEqualTo(24);
    assertThat(f.dim(-1)).isEqualTo(3);
    assertThat(f.toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(HostTensor.ofLongs(new long[] {5, -6}).shape()).containsExactly(2);
    assertThat(HostTensor.ofInts(new int[] {7}).toLongArray()).containsExactly(7);
    assertThat(HostTensor.ofBools(new boolean[] {true, false}).toBoolArray())
        .containsExactly(true, false);
    assertThat(HostTensor.ofBytes(DType.U8, new byte[] {(byte) 250}).toIntArray())
        .containsExactly(250);
    assertThat(HostTensor.ofBytes(DType.I8, new byte[] {(byte) 250}).toIntArray())
        .containsExactly(-6);
    HostTensor s = HostTensor.scalarLong(9);
    assertThat(s.rank()).isZero();
    assertThat(s.numel()).isEqualTo(1);
    assertThat(s.longAt(0)).isEqualTo(9);
    assertThat(HostTensor.zeros(DType.BF16, 2, 0).numel()).isZero();
  }

  @Test
  void wrongShapesAreRejected() {
    assertThatThrownBy(() -> HostTensor.ofFloats(new float[] {1, 2, 3}, 2, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("shape [2, 2] needs 4 values, got 3");
    assertThatThrownBy(() -> HostTensor.of(DType.F32, new long[] {3}, ByteBuffer.allocate(8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs 12 bytes, the buffer holds 8");
    assertThatThrownBy(() -> HostTensor.zeros(DType.F32, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ofWrapsWithoutCopyingAndIsLittleEndian() {
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(0, 1).putInt(4, 0x01000000);
    HostTensor t = HostTensor.of(DType.I32, new long[] {2}, b);
    assertThat(t.toIntArray()).containsExactly(1, 0x01000000);
    b.putInt(0, 77); // a view, as documented
    assertThat(t.toIntArray()[0]).isEqualTo(77);
    ByteBuffer data = t.data();
    assertThat(data.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
    assertThat(data.position()).isZero();
    assertThat(data.isReadOnly()).isTrue();
    assertThatThrownBy(() -> data.put(0, (byte) 1)).isInstanceOf(ReadOnlyBufferException.class);
    data.position(4);
    assertThat(t.data().position()).isZero();
  }

  @Test
  void shapeIsDefensivelyCopied() {
    HostTensor t = HostTensor.ofFloats(new float[] {1, 2}, 1, 2);
    long[] shape = t.shape();
    shape[0] = 99;
    assertThat(t.shape()).containsExactly(1, 2);
  }

  @Test
  void reshapeSliceAndSelectAreViews() {
    HostTensor t = HostTensor.ofFloats(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 3, 4);
    assertThat(t.reshape(-1, 6).shape()).containsExactly(2, 6);
    assertThat(t.reshape(12).toFloatArray()).isEqualTo(t.toFloatArray());
    assertThatThrownBy(() -> t.reshape(5, -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> t.reshape(-1, -1)).isInstanceOf(IllegalArgumentException.class);
    HostTensor rows = t.slice0(1, 3);
    assertThat(rows.shape()).containsExactly(2, 4);
    assertThat(rows.toFloatArray()).containsExactly(4, 5, 6, 7, 8, 9, 10, 11);
    HostTensor row = t.select0(2);
    assertThat(row.shape()).containsExactly(4);
    assertThat(row.toFloatArray()).containsExactly(8, 9, 10, 11);
    assertThat(t.slice0(3, 3).numel()).isZero();
    assertThatThrownBy(() -> t.slice0(2, 4)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> HostTensor.scalarFloat(1).slice0(0, 1))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void widensBf16AndF16ExactlyIntoReusedBuffers() {
    float[] values = {1.0f, -2.5f, 3.140625f, 0f, -0f, Float.POSITIVE_INFINITY, 1e-40f, 65504f};
    HostTensor bf = HostTensor.ofFloats(values).toBf16();
    HostTensor f16 = HostTensor.ofFloats(values).toF16();
    FloatBuffer direct =
        ByteBuffer.allocateDirect(64).order(ByteOrder.nativeOrder()).asFloatBuffer();
    bf.copyFloatsTo(direct);
    assertThat(direct.position()).isEqualTo(values.length);
    direct.flip();
    float[] got = new float[values.length];
    direct.get(got);
    assertThat(got).isEqualTo(bf.toFloatArray());
    for (int i = 0; i < values.length; i++) {
      assertThat(got[i]).isEqualTo(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(values[i])));
    }
    assertThat(f16.toFloatArray()[7]).isEqualTo(65504f);
    assertThatThrownBy(() -> bf.copyFloatsTo(FloatBuffer.allocate(3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("room for 3 floats");
  }

  @Test
  void conversionsFollowTorch() {
    HostTensor longs = HostTensor.ofLongs(new long[] {1, -2, 3});
    assertThat(longs.toF32().toFloatArray()).containsExactly(1, -2, 3);
    assertThat(HostTensor.ofBools(new boolean[] {true, false}).toI64().toLongArray())
        .containsExactly(1, 0);
    assertThat(HostTensor.ofDoubles(new double[] {0.1}).toF32().toFloatArray())
        .containsExactly(0.1f);
    HostTensor bf = HostTensor.ofFloats(new float[] {1.0f}).toBf16();
    assertThat(bf.toBf16()).isSameAs(bf);
    assertThatThrownBy(longs::toBf16).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(longs::toFloatArray).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> HostTensor.ofFloats(new float[] {1}).toLongArray())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> HostTensor.ofLongs(new long[] {1L << 40}).toIntArray())
        .isInstanceOf(ArithmeticException.class);
    assertThatThrownBy(() -> longs.toBoolArray()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void contentEqualsComparesDtypeShapeAndBytes() {
    HostTensor a = HostTensor.ofFloats(new float[] {1, 2, 3, 4}, 2, 2);
    assertThat(a.contentEquals(HostTensor.ofFloats(new float[] {1, 2, 3, 4}, 2, 2))).isTrue();
    assertThat(a.contentEquals(a.reshape(4))).isFalse();
    assertThat(a.contentEquals(HostTensor.ofFloats(new float[] {1, 2, 3, 5}, 2, 2))).isFalse();
    assertThat(a.contentEquals(HostTensor.ofInts(new int[] {1, 2, 3, 4}, 2, 2))).isFalse();
    assertThat(a.contentEquals(null)).isFalse();
    assertThat(a.toString()).isEqualTo("HostTensor(F32[2, 2])");
  }

  @Test
  void dtypeNamesRoundTrip() {
    for (DType t : DType.values()) {
      assertThat(DType.fromSafetensors(t.safetensorsName())).isEqualTo(t);
      assertThat(DType.fromTorchStorage(t.torchStorageName())).isEqualTo(t);
      assertThat(DType.fromTorchName(t.torchName())).isEqualTo(t);
      if (t != DType.BF16) {
        assertThat(DType.fromNumpyDescr(t.numpyDescr())).isEqualTo(t);
      }
    }
    assertThat(DType.F32.numpyDescr()).isEqualTo("<f4");
    assertThat(DType.BOOL.numpyDescr()).isEqualTo("|b1");
    assertThat(DType.BF16.torchStorageName()).isEqualTo("BFloat16Storage");
    assertThat(DType.fromNumpyDescr("|u1")).isEqualTo(DType.U8);
    assertThatThrownBy(() -> DType.fromNumpyDescr(">i8")).hasMessageContaining("big-endian");
    assertThatThrownBy(() -> DType.fromSafetensors("F8_E4M3")).hasMessageContaining("F8_E4M3");
    assertThatThrownBy(DType.BF16::numpyDescr).isInstanceOf(UnsupportedOperationException.class);
  }
}
