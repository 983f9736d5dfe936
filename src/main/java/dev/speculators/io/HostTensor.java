package dev.speculators.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;

/**
 * A dense, contiguous (C order), little-endian tensor in host memory: on the heap or a
 * memory-mapped region of a file. Immutable: every transformation returns a new tensor, views share
 * bytes with their source.
 *
 * <p>Sizes are limited to what one {@link ByteBuffer} addresses (2 GiB); readers offer row-range
 * reads for larger tensors.
 */
public final class HostTensor {
  private static final int CHUNK = 8192;

  private final DType dtype;
  private final long[] shape;
  private final long numel;
  private final ByteBuffer data;

  private HostTensor(DType dtype, long[] shape, ByteBuffer data) {
    this.dtype = dtype;
    this.shape = shape;
    this.numel = numelOf(shape);
    this.data = data;
  }

  /**
   * Wraps {@code littleEndianData} from its position to its limit, without copying. The caller must
   * not change those bytes afterwards.
   *
   * @throws IllegalArgumentException when the byte count does not match {@code shape}
   */
  public static HostTensor of(DType dtype, long[] shape, ByteBuffer littleEndianData) {
    long[] s = checkShape(shape);
    long expected = numelOf(s) * dtype.byteSize();
    if (littleEndianData.remaining() != expected) {
      throw new IllegalArgumentException(
          dtype
              + Arrays.toString(s)
              + " needs "
              + expected
              + " bytes, the buffer holds "
              + littleEndianData.remaining());
    }
    return new HostTensor(dtype, s, readOnly(littleEndianData.slice()));
  }

  /** A tensor of zeros. */
  public static HostTensor zeros(DType dtype, long... shape) {
    long[] s = checkShape(shape);
    return new HostTensor(dtype, s, readOnly(allocate(numelOf(s) * dtype.byteSize())));
  }

  /** F32 tensor; without {@code shape} it is one-dimensional {@code [data.length]}. */
  public static HostTensor ofFloats(float[] data, long... shape) {
    long[] s = shapeFor(data.length, shape);
    ByteBuffer b = allocate(4L * data.length);
    b.asFloatBuffer().put(data);
    return new HostTensor(DType.F32, s, readOnly(b));
  }

  /** F64 tensor; without {@code shape} it is one-dimensional. */
  public static HostTensor ofDoubles(double[] data, long... shape) {
    long[] s = shapeFor(data.length, shape);
    ByteBuffer b = allocate(8L * data.length);
    b.asDoubleBuffer().put(data);
    return new HostTensor(DType.F64, s, readOnly(b));
  }

  /** I64 tensor; without {@code shape} it is one-dimensional. */
  public static HostTensor ofLongs(long[] data, long... shape) {
    long[] s = shapeFor(data.length, shape);
    ByteBuffer b = allocate(8L * data.length);
    b.asLongBuffer().put(data);
    return new HostTensor(DType.I64, s, readOnly(b));
  }

  /** I32 tensor; without {@code shape} it is one-dimensional. */
  public static HostTensor ofInts(int[] data, long... shape) {
    long[] s = shapeFor(data.length, shape);
    ByteBuffer b = allocate(4L * data.length);
    b.asIntBuffer().put(data);
    return new HostTensor(DType.I32, s, readOnly(b));
  }

  /** I16 tensor; without {@code shape} it is one-dimensional. */
  public static HostTensor ofShorts(short[] data, long... shape) {
    return ofBits16(DType.I16, data, shape);
  }

  /** BF16 tensor from raw bf16 bit patterns; without {@code shape} it is one-dimensional. */
  public static HostTensor ofBf16Bits(short[] bits, long... shape) {
    return ofBits16(DType.BF16, bits, shape);
  }

  /** F16 tensor from raw binary16 bit patterns; without {@code shape} it is one-dimensional. */
  public static HostTensor ofF16Bits(short[] bits, long... shape) {
    return ofBits16(DType.F16, bits, shape);
  }

  /** I8 or U8 tensor from raw bytes; without {@code shape} it is one-dimensional. */
  public static HostTensor ofBytes(DType dtype, byte[] data, long... shape) {
    if (dtype.byteSize() != 1 || dtype == DType.BOOL) {
      throw new IllegalArgumentException("ofBytes takes I8 or U8, not " + dtype);
    }
    long[] s = shapeFor(data.length, shape);
    ByteBuffer b = allocate(data.length);
    b.put(data).flip();
    return new HostTensor(dtype, s, readOnly(b));
  }

  /** BOOL tensor; without {@code shape} it is one-dimensional. */
  public static HostTensor ofBools(boolean[] data, long... shape) {
    long[] s = shapeFor(data.length, shape);
    ByteBuffer b = allocate(data.length);
    for (int i = 0; i < data.length; i++) {
      b.put(i, data[i] ? (byte) 1 : (byte) 0);
    }
    return new HostTensor(DType.BOOL, s, readOnly(b));
  }

  /** A 0-dimensional I64 tensor. */
  public static HostTensor scalarLong(long v) {
    return ofLongs(new long[] {v}).reshape();
  }

  /** A 0-dimensional F32 tensor. */
  public static HostTensor scalarFloat(float v) {
    return ofFloats(new float[] {v}).reshape();
  }

  /** A 0-dimensional F64 tensor. */
  public static HostTensor scalarDouble(double v) {
    return ofDoubles(new double[] {v}).reshape();
  }

  /** A 0-dimensional BOOL tensor. */
  public static HostTensor scalarBool(boolean v) {
    return ofBools(new boolean[] {v}).reshape();
  }

  public DType dtype() {
    return dtype;
  }

  /** A copy of the shape; empty for a 0-dimensional tensor. */
  public long[] shape() {
    return shape.clone();
  }

  /** Size of dimension {@code d}; negative {@code d} counts from the end. */
  public long dim(int d) {
    return shape[d < 0 ? shape.length + d : d];
  }

  public long numel() {
    return numel;
  }

  public int rank() {
    return shape.length;
  }

  public long sizeInBytes() {
    return numel * dtype.byteSize();
  }

  /** The bytes: read-only, little-endian, position 0, a fresh duplicate on every call. */
  public ByteBuffer data() {
    return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Element {@code flatIndex} (C order) of a floating-point tensor as float. */
  public float floatAt(long flatIndex) {
    int i = checkIndex(flatIndex);
    switch (dtype) {
      case F32:
        return data.getFloat(i * 4);
      case BF16:
        return HalfFloats.bf16ToFloat(data.getShort(i * 2));
      case F16:
        return HalfFloats.f16ToFloat(data.getShort(i * 2));
      case F64:
        return (float) data.getDouble(i * 8);
      default:
        throw notFloating();
    }
  }

  /** Element {@code flatIndex} (C order) of an integer or bool tensor as long. */
  public long longAt(long flatIndex) {
    int i = checkIndex(flatIndex);
    switch (dtype) {
      case I64:
        return data.getLong(i * 8);
      case I32:
        return data.getInt(i * 4);
      case I16:
        return data.getShort(i * 2);
      case I8:
        return data.get(i);
      case U8:
      case BOOL:
        return data.get(i) & 0xFF;
      default:
        throw new IllegalStateException(dtype + " tensor has no integer values");
    }
  }

  /**
   * The values as float32: exact for BF16, F16 and F32, F64 is rounded.
   *
   * @throws IllegalStateException for integer and bool tensors
   */
  public float[] toFloatArray() {
    float[] out = new float[toIntSize(numel)];
    copyFloatsTo(out, 0);
    return out;
  }

  /** Widens the values into {@code dst} starting at {@code offset}. */
  public void copyFloatsTo(float[] dst, int offset) {
    copyFloatsTo(FloatBuffer.wrap(dst, offset, dst.length - offset));
  }

  /**
   * Widens the values to float32 into {@code dst} at its position, advancing it by {@link
   * #numel()}. With a reused direct buffer this is the fast path for feeding native code.
   */
  public void copyFloatsTo(FloatBuffer dst) {
    if (dst.remaining() < numel) {
      throw new IllegalArgumentException(
          "destination has room for " + dst.remaining() + " floats, tensor has " + numel);
    }
    ByteBuffer src = data();
    switch (dtype) {
      case F32:
        dst.put(src.asFloatBuffer());
        return;
      case BF16:
      case F16:
        widen16(src.asShortBuffer(), dst, dtype == DType.BF16);
        return;
      case F64:
        {
          var d = src.asDoubleBuffer();
          while (d.hasRemaining()) {
            dst.put((float) d.get());
          }
          return;
        }
      default:
        throw notFloating();
    }
  }

  private static void widen16(ShortBuffer src, FloatBuffer dst, boolean bf16) {
    short[] in = new short[CHUNK];
    float[] out = new float[CHUNK];
    while (src.hasRemaining()) {
      int n = Math.min(CHUNK, src.remaining());
      src.get(in, 0, n);
      if (bf16) {
        for (int i = 0; i < n; i++) {
          out[i] = Float.intBitsToFloat(in[i] << 16);
        }
      } else {
        for (int i = 0; i < n; i++) {
          out[i] = HalfFloats.f16ToFloat(in[i]);
        }
      }
      dst.put(out, 0, n);
    }
  }

  /** The values as double (floating-point tensors; F64 exactly, others widened exactly). */
  public double[] toDoubleArray() {
    double[] out = new double[toIntSize(numel)];
    if (dtype == DType.F64) {
      data().asDoubleBuffer().get(out);
    } else {
      float[] f = toFloatArray();
      for (int i = 0; i < f.length; i++) {
        out[i] = f[i];
      }
    }
    return out;
  }

  /** The values as long: integer and bool tensors. */
  public long[] toLongArray() {
    long[] out = new long[toIntSize(numel)];
    if (dtype == DType.I64) {
      data().asLongBuffer().get(out);
      return out;
    }
    if (dtype.isFloatingPoint()) {
      throw new IllegalStateException(dtype + " tensor has no integer values");
    }
    for (int i = 0; i < out.length; i++) {
      out[i] = longAt(i);
    }
    return out;
  }

  /**
   * The values as int: integer and bool tensors.
   *
   * @throws ArithmeticException when an I64 value does not fit
   */
  public int[] toIntArray() {
    int[] out = new int[toIntSize(numel)];
    if (dtype == DType.I32) {
      data().asIntBuffer().get(out);
      return out;
    }
    if (dtype.isFloatingPoint()) {
      throw new IllegalStateException(dtype + " tensor has no integer values");
    }
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.toIntExact(longAt(i));
    }
    return out;
  }

  /** The values of a BOOL tensor. */
  public boolean[] toBoolArray() {
    if (dtype != DType.BOOL) {
      throw new IllegalStateException("toBoolArray needs a BOOL tensor, this is " + dtype);
    }
    boolean[] out = new boolean[toIntSize(numel)];
    for (int i = 0; i < out.length; i++) {
      out[i] = data.get(i) != 0;
    }
    return out;
  }

  /** The raw 16-bit patterns of a BF16, F16 or I16 tensor. */
  public short[] toShortBits() {
    if (dtype.byteSize() != 2) {
      throw new IllegalStateException("toShortBits needs a 16-bit tensor, this is " + dtype);
    }
    short[] out = new short[toIntSize(numel)];
    data().asShortBuffer().get(out);
    return out;
  }

  /**
   * Converts a floating-point tensor to BF16 by round-to-nearest-even, bit-identical to torch
   * {@code .to(torch.bfloat16)} (F64 goes through F32, as torch does). Returns {@code this} when
   * already BF16.
   */
  public HostTensor toBf16() {
    if (dtype == DType.BF16) {
      return this;
    }
    if (!dtype.isFloatingPoint()) {
      throw notFloating();
    }
    ByteBuffer out = allocate(numel * 2);
    float[] chunk = new float[CHUNK];
    FloatBuffer src =
        dtype == DType.F32 ? data().asFloatBuffer() : FloatBuffer.wrap(toFloatArray());
    int written = 0;
    while (src.hasRemaining()) {
      int n = Math.min(CHUNK, src.remaining());
      src.get(chunk, 0, n);
      for (int i = 0; i < n; i++) {
        out.putShort((written + i) * 2, HalfFloats.floatToBf16(chunk[i]));
      }
      written += n;
    }
    return new HostTensor(DType.BF16, shape, readOnly(out));
  }

  /** Converts a floating-point tensor to F16 by round-to-nearest-even. */
  public HostTensor toF16() {
    if (dtype == DType.F16) {
      return this;
    }
    float[] f = toFloatArray();
    short[] bits = new short[f.length];
    for (int i = 0; i < f.length; i++) {
      bits[i] = HalfFloats.floatToF16(f[i]);
    }
    return ofBits16(DType.F16, bits, shape);
  }

  /**
   * Converts to F32: exact from BF16/F16, rounded from F64, value conversion from integers and bool
   * (like torch {@code .float()}). Returns {@code this} when already F32.
   */
  public HostTensor toF32() {
    if (dtype == DType.F32) {
      return this;
    }
    if (dtype.isFloatingPoint()) {
      return ofFloats(toFloatArray(), shape);
    }
    long[] v = toLongArray();
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = v[i];
    }
    return ofFloats(f, shape);
  }

  /** Converts an integer or bool tensor to I64 (like torch {@code .long()}). */
  public HostTensor toI64() {
    if (dtype == DType.I64) {
      return this;
    }
    return ofLongs(toLongArray(), shape);
  }

  /**
   * A view with another shape and the same elements; one dimension may be {@code -1} (inferred). No
   * arguments makes a 0-dimensional tensor of a one-element tensor.
   */
  public HostTensor reshape(long... newShape) {
    long[] s = newShape.clone();
    int infer = -1;
    long known = 1;
    for (int i = 0; i < s.length; i++) {
      if (s[i] == -1) {
        if (infer >= 0) {
          throw new IllegalArgumentException("only one dimension can be -1: " + Arrays.toString(s));
        }
        infer = i;
      } else if (s[i] < 0) {
        throw new IllegalArgumentException("negative dimension in " + Arrays.toString(s));
      } else {
        known *= s[i];
      }
    }
    if (infer >= 0) {
      if (known == 0 || numel % known != 0) {
        throw new IllegalArgumentException(
            "cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
      }
      s[infer] = numel / known;
    }
    if (numelOf(s) != numel) {
      throw new IllegalArgumentException(
          "cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
    }
    return new HostTensor(dtype, s, data);
  }

  /** A view of rows {@code [from, to)} along dimension 0. */
  public HostTensor slice0(long from, long to) {
    if (shape.length == 0) {
      throw new IllegalStateException("cannot slice a 0-dimensional tensor");
    }
    if (from < 0 || to < from || to > shape[0]) {
      throw new IndexOutOfBoundsException(
          "slice [" + from + ", " + to + ") of dimension 0 with size " + shape[0]);
    }
    long rowBytes = shape[0] == 0 ? 0 : sizeInBytes() / shape[0];
    long[] s = shape.clone();
    s[0] = to - from;
    ByteBuffer view = data.duplicate();
    view.position(toIntSize(from * rowBytes)).limit(toIntSize(to * rowBytes));
    return new HostTensor(dtype, s, readOnly(view.slice()));
  }

  /** Row {@code index} along dimension 0, one dimension less. */
  public HostTensor select0(long index) {
    HostTensor row = slice0(index, index + 1);
    return new HostTensor(dtype, Arrays.copyOfRange(shape, 1, shape.length), row.data);
  }

  /** Same dtype, same shape and the same bytes. */
  public boolean contentEquals(HostTensor o) {
    return o != null
        && dtype == o.dtype
        && Arrays.equals(shape, o.shape)
        && data().equals(o.data()); // ByteBuffer.equals compares remaining bytes
  }

  @Override
  public String toString() {
    return "HostTensor" + "(" + dtype + Arrays.toString(shape) + ")";
  }

  // ---- package-private helpers for readers

  /** Wraps bytes already validated by a reader (read-only, little-endian). */
  static HostTensor wrapUnchecked(DType dtype, long[] shape, ByteBuffer data) {
    return new HostTensor(dtype, shape, readOnly(data));
  }

  static long numelOf(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  static ByteBuffer allocate(long bytes) {
    return ByteBuffer.allocate(toIntSize(bytes)).order(ByteOrder.LITTLE_ENDIAN);
  }

  static int toIntSize(long n) {
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "tensor of " + n + " elements/bytes exceeds the 2 GiB limit of one host buffer");
    }
    return (int) n;
  }

  private static HostTensor ofBits16(DType dtype, short[] bits, long[] shape) {
    long[] s = shapeFor(bits.length, shape);
    ByteBuffer b = allocate(2L * bits.length);
    b.asShortBuffer().put(bits);
    return new HostTensor(dtype, s, readOnly(b));
  }

  private static ByteBuffer readOnly(ByteBuffer b) {
    return b.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  private static long[] checkShape(long[] shape) {
    long[] s = shape.clone();
    for (long d : s) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(s));
      }
    }
    numelOf(s);
    return s;
  }

  private static long[] shapeFor(int length, long[] shape) {
    if (shape.length == 0) {
      return new long[] {length};
    }
    long[] s = checkShape(shape);
    if (numelOf(s) != length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(s) + " needs " + numelOf(s) + " values, got " + length);
    }
    return s;
  }

  private int checkIndex(long flatIndex) {
    if (flatIndex < 0 || flatIndex >= numel) {
      throw new IndexOutOfBoundsException("index " + flatIndex + " of " + numel + " elements");
    }
    return (int) flatIndex;
  }

  private IllegalStateException notFloating() {
    return new IllegalStateException(dtype + " tensor is not floating point");
  }
}
