package dev.speculators.io.dataset;

import dev.speculators.io.HostTensor;
import dev.speculators.io.TensorFileException;
import dev.speculators.io.TorchFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token counts over the trained-on (assistant) tokens of a dataset, stored like upstream as {@code
 * token_freq.pt}: a torch.save of a plain dict {@code int -> int}. The vocabulary mapping of a
 * reduced draft vocabulary is built from it.
 */
public final class TokenFrequencies {
  private TokenFrequencies() {}

  /**
   * Reads a {@code token_freq.pt}.
   *
   * @throws TensorFileException when it is not a dict of non-negative ints
   */
  public static Map<Long, Long> read(Path path) throws IOException {
    Object loaded = TorchFiles.load(path);
    if (!(loaded instanceof Map)) {
      throw new TensorFileException(path, "token frequencies must be a dict of token id -> count");
    }
    Map<Long, Long> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : ((Map<?, ?>) loaded).entrySet()) {
      if (!(e.getKey() instanceof Long) || (Long) e.getKey() < 0) {
        throw new TensorFileException(
            path, "token id " + e.getKey() + " is not a non-negative integer");
      }
      if (!(e.getValue() instanceof Long) || (Long) e.getValue() < 0) {
        throw new TensorFileException(
            path,
            "count of token "
                + e.getKey()
                + " is "
                + e.getValue()
                + ", not a non-negative integer");
      }
      out.put((Long) e.getKey(), (Long) e.getValue());
    }
    return out;
  }

  /** Writes the counts atomically, in the map's iteration order. */
  public static void write(Path path, Map<Long, Long> counts) throws IOException {
    TorchFiles.save(path, new LinkedHashMap<Object, Object>(counts));
  }

  /** Sums several count maps; ids keep the order of their first appearance. */
  public static Map<Long, Long> merge(Collection<? extends Map<Long, Long>> parts) {
    Map<Long, Long> out = new LinkedHashMap<>();
    for (Map<Long, Long> part : parts) {
      part.forEach((id, n) -> out.merge(id, n, Long::sum));
    }
    return out;
  }

  /** Adds the ids of {@code inputIds} whose {@code lossMask} is 1 to {@code counts}. */
  public static void accumulate(Map<Long, Long> counts, HostTensor inputIds, HostTensor lossMask) {
    long[] ids = inputIds.toLongArray();
    long[] mask = lossMask.toLongArray();
    if (ids.length != mask.length) {
      throw new IllegalArgumentException(
          "input_ids has " + ids.length + " tokens, loss_mask has " + mask.length);
    }
    for (int i = 0; i < ids.length; i++) {
      if (mask[i] == 1) {
        counts.merge(ids[i], 1L, Long::sum);
      }
    }
  }

  /** Adds the trained-on tokens of a sample. */
  public static void accumulate(Map<Long, Long> counts, SampleFile sample) {
    accumulate(counts, sample.inputIds(), sample.lossMask());
  }

  /** The total number of counted tokens. */
  public static long total(Map<Long, Long> counts) {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }
}
