package dev.speculators.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.speculators.io.DType;
import dev.speculators.io.HostTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.function.Consumer;

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
   * <p>Floating-point tensors are widened straight into the new array's memory: no Java heap copy
   * and no direct buffer (DJL's {@code create} copies Java arrays through a direct buffer that only
   * the garbage collector frees, so a model's worth of them would linger in the resident set).
   * Other dtypes are small (ids, masks) and take DJL's path, cloned so that no tensor torch keeps
   * internally depends on a Java buffer's lifetime.
   */
  public static NDArray toNDArray(NDManager manager, HostTensor t) {
    Shape shape = new Shape(t.shape());
    switch (t.dtype()) {
      case F32:
      case F16:
      case BF16:
      case F64:
        return filled(manager, shape, t::copyFloatsTo);
      default:
        try (NDArray blob = wrap(manager, t)) {
          return blob.duplicate();
        }
    }
  }

  /**
   * A new float32 array of {@code shape} on {@code manager}'s device whose values {@code fill}
   * writes, in order, into the array's own memory (through a CPU staging array on a GPU).
   */
  public static NDArray filled(NDManager manager, Shape shape, Consumer<FloatBuffer> fill) {
    if (!manager.getDevice().isGpu()) {
      NDArray out = manager.create(shape, DataType.FLOAT32);
      fill.accept(floatView(out));
      return out;
    }
    try (NDManager cpu = NDManager.newBaseManager(Device.cpu())) {
      NDArray host = cpu.create(shape, DataType.FLOAT32);
      fill.accept(floatView(host));
      NDArray out = host.toDevice(manager.getDevice(), true);
      out.attach(manager);
      return out;
    }
  }

  /** The memory of a contiguous float32 CPU array as a float buffer (no copy). */
  private static FloatBuffer floatView(NDArray a) {
    return a.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer();
  }

  /**
   * A host tensor over the memory of a float32 or int64 array, without copying on a CPU: valid
   * while the array lives and unchanged. On a GPU the values are copied into {@code staging}, a CPU
   * manager the caller closes when done with the tensor.
   */
  public static HostTensor view(NDArray a, NDManager staging) {
    DType dtype =
        switch (a.getDataType()) {
          case FLOAT32 -> DType.F32;
          case INT64 -> DType.I64;
          default -> throw new IllegalArgumentException("no view of " + a.getDataType());
        };
    NDArray cpu = a;
    if (a.getDevice().isGpu()) {
      cpu = a.toDevice(Device.cpu(), true);
      cpu.attach(staging);
    }
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      throw new IllegalStateException("host tensors are little-endian; this machine is not");
    }
    ByteBuffer bytes = cpu.toByteBuffer(true).order(ByteOrder.LITTLE_ENDIAN);
    return HostTensor.of(dtype, a.getShape().getShape(), bytes);
  }

  private static NDArray wrap(NDManager manager, HostTensor t) {
    Shape shape = new Shape(t.shape());
    switch (t.dtype()) {
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
