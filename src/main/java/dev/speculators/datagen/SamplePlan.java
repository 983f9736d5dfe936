package dev.speculators.datagen;

import java.util.Arrays;
import java.util.List;

/**
 * The global, deterministic list of rows to generate. Position {@code p} is the {@code p}-th
 * selected record (source {@link #source(int)}, record {@link #record(int)}); it yields {@link
 * #rows(int)} rows, which get the consecutive global row indexes starting at {@link
 * #firstRow(int)}. Row {@code i} is written as {@code data_<i>.pt}. Every shard computes the same
 * plan from the same sources, seed and sampling options, and takes a contiguous range of rows.
 */
public final class SamplePlan {
  private final int[] source;
  private final long[] record;
  private final long[] rowStart;
  private final List<SourceStats> sourceStats;
  private final long invalidRecords;
  private final Normalization normalization;

  /** What normalisation dropped while planning (counted once, in the planning pass). */
  public record Normalization(
      java.util.Map<String, Long> droppedRoles, long recordsWithoutAssistant) {}

  /** Per-source numbers for logs, metadata and the summary. */
  public record SourceStats(String spec, long records, long selected, List<String> files) {}

  SamplePlan(
      int[] source,
      long[] record,
      int[] rows,
      List<SourceStats> sourceStats,
      long invalidRecords,
      Normalization normalization) {
    this.normalization = normalization;
    this.source = source;
    this.record = record;
    this.rowStart = new long[rows.length + 1];
    for (int p = 0; p < rows.length; p++) {
      rowStart[p + 1] = rowStart[p] + rows[p];
    }
    this.sourceStats = List.copyOf(sourceStats);
    this.invalidRecords = invalidRecords;
  }

  public int positions() {
    return source.length;
  }

  public int source(int position) {
    return source[position];
  }

  public long record(int position) {
    return record[position];
  }

  public int rows(int position) {
    return (int) (rowStart[position + 1] - rowStart[position]);
  }

  public long firstRow(int position) {
    return rowStart[position];
  }

  public long totalRows() {
    return rowStart[rowStart.length - 1];
  }

  public List<SourceStats> sourceStats() {
    return sourceStats;
  }

  public long invalidRecords() {
    return invalidRecords;
  }

  public Normalization normalization() {
    return normalization;
  }

  /** The position whose rows include global row {@code row}. */
  public int positionOf(long row) {
    if (row < 0 || row >= totalRows()) {
      throw new IndexOutOfBoundsException("row " + row + " of " + totalRows());
    }
    int i = Arrays.binarySearch(rowStart, row);
    if (i >= 0) {
      // several positions may start here when some yield no rows: take the one that has rows
      while (rowStart[i + 1] == row) {
        i++;
      }
      return i;
    }
    return -i - 2;
  }

  /**
   * Rows {@code [from, to)} of shard {@code index} of {@code count}: contiguous, balanced, covering
   * all rows.
   */
  public ShardRange shard(int index, int count) {
    if (count < 1 || index < 0 || index >= count) {
      throw new IllegalArgumentException("shard " + index + "/" + count + " does not exist");
    }
    long total = totalRows();
    long from = Math.floorDiv(total * index, count);
    long to = Math.floorDiv(total * (index + 1), count);
    return new ShardRange(index, count, from, to);
  }

  /** A contiguous range of global row indexes owned by one shard. */
  public record ShardRange(int index, int count, long from, long to) {
    public long size() {
      return to - from;
    }

    public boolean contains(long row) {
      return row >= from && row < to;
    }
  }
}
