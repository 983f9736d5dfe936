package dev.speculators.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.speculators.io.HostTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * The bridge between host tensors (file formats) and DJL arrays. Floating point always becomes
 * float32 in DJL: bf16 and f16 are widened exactly in Java, because a BF16 DJL array aborts the JVM
 * (DJL's JNI maps only the first nine data types).
 */
public final class Tensors {
  private Tensors() {}

  /**
   * A fresh DJL array with the values of {@code t}, in memory owned by libtorch.
   *
   * <p>DJL's {@code create} wraps a Java direct buffer without copying ({@code from_blob}); a
   * tensor that torch keeps alive internally (autograd saved tensors, views) would then outlive the
   * Java buffer once the wrapping array is closed and the buffer collected. Cloning into
   * torch-owned memory removes that lifetime coupling for the price of one copy.
   */
  public static NDArray toNDArray(NDManager manager, HostTensor t) {
    try (NDArray blob = wrap(manager, t)) {
      return blob.duplicate();
    }
  }

  private static NDArray wrap(NDManager manager, HostTensor t) {
    Shape shape = new Shape(t.shape());
    switch (t.dtype()) {
      case F32:
      case F16:
      case BF16:
      case F64:
        return manager.create(t.toFloatArray(), shape);
      case I64:
        return manager.create(t.toLongArray(), shape);
      case I32:
      case I16:
      case I8:
      case U8:
        return manager.create(t.toLongArray(), shape);
      case BOOL:
        return manager.create(t.toBoolArray(), shape);
      default:
        throw new IllegalArgumentException("unsupported dtype " + t.dtype());
    }
  }

  /** Copies a float32, int64 or boolean DJL array to the host. */
  public static HostTensor toHost(NDArray a) {
    long[] shape = a.getShape().getShape();
    DataType dt = a.getDataType();
    if (dt == DataType.FLOAT32) {
      return HostTensor.ofFloats(a.toFloatArray(), shape);
    } else if (dt == DataType.INT64) {
      return HostTensor.ofLongs(a.toLongArray(), shape);
    } else if (dt == DataType.BOOLEAN) {
      return HostTensor.ofBools(a.toBooleanArray(), shape);
    }
    throw new IllegalArgumentException("unsupported DJL data type " + dt);
  }

  /** A direct, native-order float buffer large enough for {@code n} floats. */
  public static FloatBuffer directFloats(long n) {
    return ByteBuffer.allocateDirect(Math.multiplyExact(Math.toIntExact(n), Float.BYTES))
        .order(ByteOrder.nativeOrder())
        .asFloatBuffer();
  }
}
