package dev.speculators.train.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.speculators.train.model.PackedBatch;
import dev.speculators.train.model.PackedDocuments;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Host buffers for one packed training row of exactly {@code T} positions (eagle3-spec §2.2),
 * filled by {@link RowPacker} and reused from row to row.
 *
 * <p>The float states live in direct buffers in native byte order so that native code can take them
 * without another copy: {@link #auxHiddenStates()} is {@code [T, A·H]} row-major ({@code A}
 * auxiliary layers, 3 for EAGLE3) and {@link #verifierLastHiddenStates()} is {@code [T, H]}. The
 * integer arrays have length {@code T}; {@link #lengths()} holds the document lengths of the row.
 * Positions after the last document are padding: ids, mask and position 0, states 0.
 */
public final class PackedRow {
  private final int rowLength;
  private final int hiddenSize;
  private final int auxLayers;
  private final long[] inputIds;
  private final long[] lossMask;
  private final long[] positionIds;
  private final ByteBuffer auxBytes;
  private final ByteBuffer lastBytes;
  private final FloatBuffer aux;
  private final FloatBuffer last;
  private long[] lengths = new long[0];
  private int[] samples = new int[0];
  private int tokens;

  /**
   * Allocates the buffers of one row.
   *
   * @param rowLength {@code T}
   * @param hiddenSize {@code H}
   * @param auxLayers {@code A}, auxiliary layers concatenated per position
   */
  public PackedRow(int rowLength, int hiddenSize, int auxLayers) {
    if (rowLength <= 0 || hiddenSize <= 0 || auxLayers <= 0) {
      throw new IllegalArgumentException(
          "row length, hidden size and aux layer count must be positive, got "
              + rowLength
              + ", "
              + hiddenSize
              + ", "
              + auxLayers);
    }
    long auxFloats = (long) rowLength * hiddenSize * auxLayers;
    if (auxFloats * Float.BYTES > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "a row of "
              + rowLength
              + " x "
              + auxLayers
              + " x "
              + hiddenSize
              + " floats does not fit one direct buffer (2 GiB)");
    }
    this.rowLength = rowLength;
    this.hiddenSize = hiddenSize;
    this.auxLayers = auxLayers;
    this.inputIds = new long[rowLength];
    this.lossMask = new long[rowLength];
    this.positionIds = new long[rowLength];
    this.auxBytes = directBytes((int) auxFloats);
    this.lastBytes = directBytes(rowLength * hiddenSize);
    this.aux = auxBytes.asFloatBuffer();
    this.last = lastBytes.asFloatBuffer();
  }

  private static ByteBuffer directBytes(int floats) {
    return ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder());
  }

  /** {@code T}. */
  public int rowLength() {
    return rowLength;
  }

  /** {@code H}. */
  public int hiddenSize() {
    return hiddenSize;
  }

  /** {@code A}: the auxiliary width is {@code A·H}. */
  public int auxLayers() {
    return auxLayers;
  }

  /** {@code [T]} verifier token ids after the shift, 0 on padding. Live array, not a copy. */
  public long[] inputIds() {
    return inputIds;
  }

  /** {@code [T]} 0/1. Live array. */
  public long[] lossMask() {
    return lossMask;
  }

  /** {@code [T]} 1, 2, ... restarting per document, 0 on padding. Live array. */
  public long[] positionIds() {
    return positionIds;
  }

  /**
   * Document lengths in this row (after truncation to {@code T}); their sum is {@link #tokens()}.
   */
  public long[] lengths() {
    return lengths.clone();
  }

  /** Dataset indices of the samples packed into this row, in packing order. */
  public int[] samples() {
    return samples.clone();
  }

  /** Positions holding document tokens; the rest of the row is padding. */
  public int tokens() {
    return tokens;
  }

  /** {@code [T, A·H]} auxiliary states, a view with position 0 and limit at the end of the row. */
  public FloatBuffer auxHiddenStates() {
    return aux.duplicate().clear();
  }

  /** {@code [T, H]} last-layer states, a view with position 0 and limit at the end of the row. */
  public FloatBuffer verifierLastHiddenStates() {
    return last.duplicate().clear();
  }

  /** Where the documents are, in the form the draft model takes. */
  public PackedDocuments documents() {
    return PackedDocuments.fromLengths(lengths, rowLength);
  }

  /**
   * The row as native arrays for the draft model. The float arrays may share memory with this row's
   * buffers (DJL wraps direct buffers without copying), so the row must not be refilled while the
   * batch is in use — {@link RowLoader} guarantees that until the next row is taken.
   */
  public PackedBatch toBatch(NDManager manager) {
    NDArray ids = manager.create(inputIds);
    // DJL wraps a direct ByteBuffer in place; any other buffer (a FloatBuffer view included) it
    // copies into a new direct buffer that only the garbage collector frees: 32 MiB per step at
    // T = 2048, H = 1024, piling up between the rare collections of a training run
    NDArray auxStates =
        manager.create(
            auxBytes.duplicate().order(ByteOrder.nativeOrder()),
            new Shape(rowLength, (long) auxLayers * hiddenSize),
            DataType.FLOAT32);
    NDArray lastStates =
        manager.create(
            lastBytes.duplicate().order(ByteOrder.nativeOrder()),
            new Shape(rowLength, hiddenSize),
            DataType.FLOAT32);
    NDArray mask = manager.create(lossMask);
    NDArray positions = manager.create(positionIds);
    return new PackedBatch(ids, auxStates, lastStates, mask, positions, documents());
  }

  // ---- filled by RowPacker ----

  FloatBuffer auxBuffer() {
    return aux;
  }

  FloatBuffer lastBuffer() {
    return last;
  }

  void setLayout(long[] lengths, int[] samples, int tokens) {
    this.lengths = lengths;
    this.samples = samples;
    this.tokens = tokens;
  }

  @Override
  public String toString() {
    return "PackedRow[T="
        + rowLength
        + ", tokens="
        + tokens
        + ", lengths="
        + Arrays.toString(lengths)
        + ", samples="
        + Arrays.toString(samples)
        + "]";
  }
}
