package dev.speculators.train.model;

import java.util.Arrays;

/**
 * Where the documents of one packed row of length T are: document d occupies {@code [start(d),
 * end(d))}, documents are contiguous from 0, and positions from {@link #paddingStart()} to T are
 * padding.
 */
public final class PackedDocuments {
  private final long[] starts;
  private final long[] ends;
  private final int length;

  private PackedDocuments(long[] starts, long[] ends, int length) {
    this.starts = starts;
    this.ends = ends;
    this.length = length;
  }

  /** From document lengths (already truncated to fit T, as the collator does). */
  public static PackedDocuments fromLengths(long[] lengths, int rowLength) {
    long[] s = new long[lengths.length];
    long[] e = new long[lengths.length];
    long pos = 0;
    int n = 0;
    for (long len : lengths) {
      if (len <= 0) {
        continue;
      }
      if (pos + len > rowLength) {
        throw new IllegalArgumentException(
            "document lengths " + Arrays.toString(lengths) + " exceed the row length " + rowLength);
      }
      s[n] = pos;
      e[n] = pos + len;
      pos += len;
      n++;
    }
    return new PackedDocuments(Arrays.copyOf(s, n), Arrays.copyOf(e, n), rowLength);
  }

  public int count() {
    return starts.length;
  }

  public long start(int d) {
    return starts[d];
  }

  public long end(int d) {
    return ends[d];
  }

  public int length() {
    return length;
  }

  public long paddingStart() {
    return starts.length == 0 ? 0 : ends[ends.length - 1];
  }

  /** [count, 2] (start, end) pairs, row-major, for the TorchScript kernel. */
  public long[] boundsRowMajor() {
    long[] out = new long[starts.length * 2];
    for (int i = 0; i < starts.length; i++) {
      out[2 * i] = starts[i];
      out[2 * i + 1] = ends[i];
    }
    return out;
  }

  /** Document index of every position, -1 on padding. */
  public int[] documentIds() {
    int[] ids = new int[length];
    Arrays.fill(ids, -1);
    for (int d = 0; d < starts.length; d++) {
      Arrays.fill(ids, (int) starts[d], (int) ends[d], d);
    }
    return ids;
  }
}
