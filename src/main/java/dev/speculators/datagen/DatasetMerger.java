package dev.speculators.datagen;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.datagen.chat.PyJson;
import dev.speculators.io.AtomicFiles;
import dev.speculators.io.dataset.SampleLengths;
import dev.speculators.io.dataset.TokenFrequencies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Finishes a dataset once every shard is done. Each shard, after writing its marker, looks for the
 * markers of all {@code n} shards; the shard that finds them all (possibly several at once) writes
 * {@code token_freq.pt}, {@code data/sample_lengths.json} and {@code data/data_config.json}. The
 * result depends only on the markers and shard token counts, every file is written by atomic
 * rename, so concurrent or repeated merges produce the same dataset.
 */
public final class DatasetMerger {
  private final DatagenLayout layout;

  /** What a merge produced. */
  public record Merged(long samples, long tokens, long failedRows, long emptyRows) {}

  public DatasetMerger(DatagenLayout layout) {
    this.layout = layout;
  }

  /**
   * @param dataConfig builds {@code data_config.json} from the merged totals
   * @return the totals, or null when some shard has not finished yet
   */
  public Merged mergeIfComplete(
      int shards, String contentHash, long totalRows, Function<Merged, ObjectNode> dataConfig)
      throws IOException {
    List<ShardMarker> markers = new ArrayList<>();
    for (int i = 0; i < shards; i++) {
      Path p = layout.shardMarker(i, shards);
      if (!Files.exists(p)) {
        return null;
      }
      markers.add(ShardMarker.read(p));
    }
    long expectFrom = 0;
    Map<Long, Integer> lengths = new TreeMap<>();
    Map<Long, Long> freq = new TreeMap<>();
    long tokens = 0;
    long failed = 0;
    long empty = 0;
    for (ShardMarker m : markers) {
      Path p = layout.shardMarker(m.shard(), shards);
      if (!contentHash.equals(m.contentHash())) {
        throw new IOException(
            p
                + " belongs to another dataset (content hash "
                + m.contentHash()
                + ", this run "
                + contentHash
                + ")");
      }
      if (m.rowFrom() != expectFrom) {
        throw new IOException(p + " covers rows from " + m.rowFrom() + ", expected " + expectFrom);
      }
      expectFrom = m.rowTo();
      for (Map.Entry<Long, Integer> e : m.sampleLengths().entrySet()) {
        if (!Files.exists(layout.sample(e.getKey()))) {
          throw new IOException(layout.sample(e.getKey()) + " is listed by " + p + " but missing");
        }
        lengths.put(e.getKey(), e.getValue());
      }
      tokens += m.tokens();
      failed += m.failedRows().size();
      empty += m.emptyRows().size();
      TokenFrequencies.read(layout.shardTokenFrequencies(m.shard(), shards))
          .forEach((id, n) -> freq.merge(id, n, Long::sum));
    }
    if (expectFrom != totalRows) {
      throw new IOException(
          "the shard markers cover rows up to " + expectFrom + " of " + totalRows);
    }
    Merged merged = new Merged(lengths.size(), tokens, failed, empty);
    Map<Integer, Integer> lengthsByIndex = new TreeMap<>();
    lengths.forEach((k, v) -> lengthsByIndex.put(Math.toIntExact(k), v));
    SampleLengths.write(layout.sampleLengths(), lengthsByIndex);
    TokenFrequencies.write(layout.tokenFrequencies(), freq);
    AtomicFiles.writeString(
        layout.dataConfig(),
        PyJson.dumps(
                new com.fasterxml.jackson.databind.ObjectMapper()
                    .convertValue(dataConfig.apply(merged), Object.class),
                2,
                false)
            + "\n");
    return merged;
  }
}
