package dev.speculators.train;

import ai.djl.pytorch.jni.LibUtils;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.file.Path;

/**
 * TensorFloat-32 for float32 matrix products and convolutions on CUDA, the switch PyTorch exposes
 * as {@code torch.backends.cuda.matmul.allow_tf32} and {@code torch.backends.cudnn.allow_tf32} (off
 * by default for matmuls since PyTorch 1.12). DJL has no call for it, so this sets libtorch's
 * global context directly ({@code at::globalContext().setAllowTF32CuBLAS/CuDNN}, exported by
 * libtorch_cpu) in the libtorch DJL loaded. TF32 keeps float32's range with a 10-bit mantissa (like
 * fp16) in the products, accumulating in float32; it changes nothing on a CPU.
 */
public final class CudaMatmul {
  private static final String GLOBAL_CONTEXT = "_ZN2at13globalContextEv";
  private static final String SET_CUBLAS = "_ZN2at7Context18setAllowTF32CuBLASEb";
  private static final String GET_CUBLAS = "_ZNK2at7Context15allowTF32CuBLASEv";
  private static final String SET_CUDNN = "_ZN2at7Context17setAllowTF32CuDNNEb";
  private static final String GET_CUDNN = "_ZNK2at7Context14allowTF32CuDNNEv";

  private CudaMatmul() {}

  /** Allows (or forbids) TF32 in float32 cuBLAS matmuls and cuDNN convolutions. */
  public static void allowTf32(boolean allow) {
    NativeLibrary torch = libtorch();
    Pointer context = torch.getFunction(GLOBAL_CONTEXT).invokePointer(new Object[0]);
    torch.getFunction(SET_CUBLAS).invokeVoid(new Object[] {context, allow});
    torch.getFunction(SET_CUDNN).invokeVoid(new Object[] {context, allow});
  }

  /** Whether float32 cuBLAS matmuls may use TF32 (libtorch's current setting). */
  public static boolean tf32Allowed() {
    NativeLibrary torch = libtorch();
    Pointer context = torch.getFunction(GLOBAL_CONTEXT).invokePointer(new Object[0]);
    // a C++ bool comes back in the low byte of the return register only
    return (torch.getFunction(GET_CUBLAS).invokeInt(new Object[] {context}) & 0xFF) != 0
        && (torch.getFunction(GET_CUDNN).invokeInt(new Object[] {context}) & 0xFF) != 0;
  }

  // the library DJL loaded (dlopen of the same file returns the loaded instance)
  private static NativeLibrary libtorch() {
    LibUtils.loadLibrary();
    return NativeLibrary.getInstance(
        Path.of(LibUtils.getLibtorchPath()).resolve("libtorch_cpu.so").toString());
  }
}
