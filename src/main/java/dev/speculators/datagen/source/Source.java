package dev.speculators.datagen.source;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * One dataset source: its spec and its record files, read as one sequence of records (file after
 * file, in the order given). Record counts are computed once.
 */
public final class Source {
  private final DataSpec spec;
  private final List<RecordFile> files;
  private long[] counts;

  public Source(DataSpec spec, List<RecordFile> files) {
    this.spec = spec;
    this.files = List.copyOf(files);
  }

  public DataSpec spec() {
    return spec;
  }

  public List<Path> paths() {
    return files.stream().map(RecordFile::path).toList();
  }

  public synchronized long count() throws IOException {
    if (counts == null) {
      long[] c = new long[files.size()];
      for (int i = 0; i < c.length; i++) {
        c[i] = files.get(i).count();
      }
      counts = c;
    }
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    return total;
  }

  /** Streams the wanted records; indexes run across files. */
  public void read(LongPredicate wanted, RecordVisitor visitor) throws IOException {
    count();
    long offset = 0;
    for (int i = 0; i < files.size(); i++) {
      long base = offset;
      files
          .get(i)
          .read(
              r -> wanted.test(base + r),
              (r, node, where) -> visitor.accept(base + r, node, where));
      offset += counts[i];
    }
  }
}
