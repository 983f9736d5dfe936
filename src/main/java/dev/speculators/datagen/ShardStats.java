package dev.speculators.datagen;

import dev.speculators.datagen.chat.TokenRow;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/** What a shard has done so far; updated from the worker threads, read by progress and summary. */
final class ShardStats {
  final AtomicLong written = new AtomicLong();
  final AtomicLong resumed = new AtomicLong();
  final AtomicLong empty = new AtomicLong();
  final AtomicLong failed = new AtomicLong();
  final AtomicLong tokens = new AtomicLong();
  final AtomicLong tokensWritten = new AtomicLong();
  final AtomicLong maskedTokens = new AtomicLong();
  final AtomicLong bytes = new AtomicLong();
  final AtomicLong retries = new AtomicLong();

  private final Map<Long, Integer> lengths = new TreeMap<>();
  private final Map<Long, Long> tokenFrequencies = new TreeMap<>();
  private final Map<Long, String> failures = new TreeMap<>();
  private final TreeMap<Long, Boolean> emptyRows = new TreeMap<>();

  void sample(long row, TokenRow r, boolean fresh, long fileBytes) {
    (fresh ? written : resumed).incrementAndGet();
    tokens.addAndGet(r.length());
    if (fresh) {
      tokensWritten.addAndGet(r.length());
      bytes.addAndGet(fileBytes);
    }
    long masked = 0;
    synchronized (this) {
      lengths.put(row, r.length());
      long[] ids = r.inputIds();
      long[] mask = r.lossMask();
      for (int i = 0; i < ids.length; i++) {
        if (mask[i] != 0) {
          tokenFrequencies.merge(ids[i], 1L, Long::sum);
          masked++;
        }
      }
    }
    maskedTokens.addAndGet(masked);
  }

  synchronized void empty(long row) {
    empty.incrementAndGet();
    emptyRows.put(row, true);
  }

  synchronized void failed(long row, String message) {
    failed.incrementAndGet();
    failures.put(row, message);
  }

  long done() {
    return written.get() + resumed.get() + empty.get() + failed.get();
  }

  synchronized Map<Long, Integer> lengths() {
    return new TreeMap<>(lengths);
  }

  synchronized Map<Long, Long> tokenFrequencies() {
    return new TreeMap<>(tokenFrequencies);
  }

  synchronized Map<Long, String> failures() {
    return new TreeMap<>(failures);
  }

  synchronized java.util.List<Long> emptyRows() {
    return new java.util.ArrayList<>(emptyRows.keySet());
  }
}
