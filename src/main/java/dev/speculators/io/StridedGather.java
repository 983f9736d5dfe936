package dev.speculators.io;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Turns a strided view of a storage (what torch pickles for every tensor: offset, sizes, strides)
 * into a contiguous {@link HostTensor}: a zero-copy slice when the view is already contiguous, a
 * gathered copy otherwise (transposes, step slices).
 */
final class StridedGather {
  private StridedGather() {}

  /**
   * @param storage the whole storage, little-endian, position 0
   * @param storageNumel number of elements in the storage
   * @throws IllegalArgumentException when the view reaches outside the storage
   */
  static HostTensor view(
      DType dtype, ByteBuffer storage, long storageNumel, long offset, long[] size, long[] stride) {
    if (size.length != stride.length) {
      throw new IllegalArgumentException(
          "size "
              + Arrays.toString(size)
              + " and stride "
              + Arrays.toString(stride)
              + " differ in rank");
    }
    long numel = HostTensor.numelOf(size);
    int es = dtype.byteSize();
    if (numel == 0) {
      return HostTensor.wrapUnchecked(dtype, size.clone(), HostTensor.allocate(0));
    }
    long last = offset;
    for (int d = 0; d < size.length; d++) {
      if (size[d] < 0 || stride[d] < 0) {
        throw new IllegalArgumentException(
            "negative size or stride " + Arrays.toString(size) + " / " + Arrays.toString(stride));
      }
      last += (size[d] - 1) * stride[d];
    }
    if (offset < 0 || last >= storageNumel) {
      throw new IllegalArgumentException(
          "view at offset "
              + offset
              + " with size "
              + Arrays.toString(size)
              + " and stride "
              + Arrays.toString(stride)
              + " reaches element "
              + last
              + " of a storage with "
              + storageNumel
              + " elements");
    }
    if (isContiguous(size, stride)) {
      ByteBuffer v = storage.duplicate();
      v.position(HostTensor.toIntSize(offset * es))
          .limit(HostTensor.toIntSize((offset + numel) * es));
      return HostTensor.wrapUnchecked(dtype, size.clone(), v.slice());
    }
    ByteBuffer out = HostTensor.allocate(numel * es);
    int rank = size.length;
    long[] index = new long[rank];
    int innerLen = HostTensor.toIntSize(size[rank - 1]);
    long innerStride = stride[rank - 1];
    int dst = 0;
    while (true) {
      long base = offset;
      for (int d = 0; d < rank - 1; d++) {
        base += index[d] * stride[d];
      }
      if (innerStride == 1) {
        int n = innerLen * es;
        out.put(dst, storage, (int) (base * es), n);
        dst += n;
      } else {
        for (int i = 0; i < innerLen; i++) {
          int src = (int) ((base + i * innerStride) * es);
          for (int b = 0; b < es; b++) {
            out.put(dst++, storage.get(src + b));
          }
        }
      }
      int d = rank - 2;
      while (d >= 0 && ++index[d] == size[d]) {
        index[d] = 0;
        d--;
      }
      if (d < 0) {
        break;
      }
    }
    return HostTensor.wrapUnchecked(dtype, size.clone(), out);
  }

  /** C-contiguous, ignoring the strides of dimensions of size 1 (torch's own rule). */
  static boolean isContiguous(long[] size, long[] stride) {
    long expected = 1;
    for (int d = size.length - 1; d >= 0; d--) {
      if (size[d] != 1 && stride[d] != expected) {
        return false;
      }
      expected *= size[d];
    }
    return true;
  }
}
