package dev.speculators.datagen;

import dev.speculators.io.DType;
import dev.speculators.io.HostTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the target model's prefill over token ids and returns the hidden states of the requested
 * layers. Layer ids follow vLLM: id {@code k} is the input of decoder layer {@code k} (Hugging Face
 * {@code hidden_states[k]}), id {@code N} the output of the last layer before the final norm.
 *
 * <p>Implementations: the vLLM server ({@code VllmHiddenStateSource}), and the in-process CPU
 * reference engine. An engine that computes a stacked {@code [S, L, H]} tensor returns {@link
 * #splitLayers(HostTensor)} of it.
 */
public interface HiddenStateSource extends AutoCloseable {

  /**
   * @return {@code layerIds.length} tensors {@code [S, H]} (bf16 or f32), in {@code layerIds} order
   * @throws GenerationException when the prefill failed (retryable or not)
   */
  List<HostTensor> prefill(long[] ids, int[] layerIds)
      throws GenerationException, InterruptedException;

  /** What computes the states, for logs and metadata. */
  String description();

  @Override
  default void close() {}

  /** {@code [S, L, H]} → L contiguous {@code [S, H]} tensors of the same dtype. */
  static List<HostTensor> splitLayers(HostTensor stacked) {
    long[] shape = stacked.shape();
    if (shape.length != 3) {
      throw new IllegalArgumentException(
          "expected hidden states [S, L, H], got rank " + shape.length);
    }
    return splitLayers(stacked, (int) shape[0], (int) shape[1], (int) shape[2]);
  }

  private static List<HostTensor> splitLayers(HostTensor stacked, int s, int l, int h) {
    DType dt = stacked.dtype();
    int rowBytes = h * dt.byteSize();
    ByteBuffer src = stacked.data();
    List<ByteBuffer> out = new ArrayList<>(l);
    for (int j = 0; j < l; j++) {
      out.add(ByteBuffer.allocate(Math.multiplyExact(s, rowBytes)).order(ByteOrder.LITTLE_ENDIAN));
    }
    for (int t = 0; t < s; t++) {
      for (int j = 0; j < l; j++) {
        int at = (t * l + j) * rowBytes;
        out.get(j).put(src.duplicate().position(at).limit(at + rowBytes));
      }
    }
    List<HostTensor> tensors = new ArrayList<>(l);
    for (ByteBuffer b : out) {
      b.flip();
      tensors.add(HostTensor.of(dt, new long[] {s, h}, b));
    }
    return tensors;
  }
}
