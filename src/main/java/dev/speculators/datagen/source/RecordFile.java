package dev.speculators.datagen.source;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.LongPredicate;

/**
 * A file of dataset records: JSON (array or lines), JSON lines, or Parquet; optionally gzipped
 * JSON.
 */
public interface RecordFile {

  Path path();

  /** Number of records (cheap for Parquet, a streaming pass for JSON). */
  long count() throws IOException;

  /**
   * Streams the records whose index {@code wanted} accepts; others are skipped without building
   * JSON trees where the format allows it.
   *
   * @throws SourceFormatException for malformed content, naming the file and the line or row
   */
  void read(LongPredicate wanted, RecordVisitor visitor) throws IOException;

  /** True for the file names {@link #open} understands. */
  static boolean isSupported(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".json")
        || n.endsWith(".jsonl")
        || n.endsWith(".parquet")
        || n.endsWith(".json.gz")
        || n.endsWith(".jsonl.gz");
  }

  static RecordFile open(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    if (n.endsWith(".parquet")) {
      return new ParquetRecordFile(p);
    }
    if (n.endsWith(".jsonl") || n.endsWith(".jsonl.gz")) {
      return new JsonLinesRecordFile(p);
    }
    if (n.endsWith(".json") || n.endsWith(".json.gz")) {
      return new JsonRecordFile(p);
    }
    throw new IllegalArgumentException(
        "unsupported dataset file "
            + p
            + " (expected .json, .jsonl, .parquet, .json.gz or .jsonl.gz)");
  }
}
