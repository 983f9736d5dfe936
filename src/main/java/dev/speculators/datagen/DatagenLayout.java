package dev.speculators.datagen;

import dev.speculators.io.dataset.DatasetLayout;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The files of a dataset directory ({@link DatasetLayout} plus the worker's bookkeeping). The part
 * below {@code data/} and {@code token_freq.pt} is the upstream speculators layout; {@code shards/}
 * is the worker's own bookkeeping, kept outside {@code data/} because upstream training treats
 * every file ending in {@code pt} under its data path as a sample:
 *
 * <pre>
 * ROOT/data/data_&lt;i&gt;.pt                 one sample (row i of the plan)
 * ROOT/data/sample_lengths.json          {"i": S, ...}, written when all shards are done
 * ROOT/data/data_config.json             generation metadata with the content hash
 * ROOT/token_freq.pt                     {token id: count} over loss-masked tokens
 * ROOT/shards/plan.json                  content hash and row count of the plan (checked on start)
 * ROOT/shards/shard-&lt;i&gt;-of-&lt;n&gt;.json      shard i is done: its lengths, counts, failures
 * ROOT/shards/token_freq-&lt;i&gt;-of-&lt;n&gt;.pt   shard i's token counts
 * </pre>
 */
public record DatagenLayout(Path root) {
  private static final Pattern SAMPLE = Pattern.compile("data_(\\d+)\\.pt(\\.tmp-.*)?");

  private DatasetLayout dataset() {
    return new DatasetLayout(root);
  }

  public Path dataDir() {
    return dataset().dataDir();
  }

  public Path sample(long row) {
    return dataset().sampleFile(row);
  }

  public Path sampleLengths() {
    return dataset().sampleLengthsFile();
  }

  public Path dataConfig() {
    return dataset().dataConfigFile();
  }

  public Path tokenFrequencies() {
    return dataset().tokenFreqFile();
  }

  public Path shardsDir() {
    return root.resolve("shards");
  }

  public Path planFile() {
    return shardsDir().resolve("plan.json");
  }

  public Path shardMarker(int shard, int shards) {
    return shardsDir().resolve("shard-" + shard + "-of-" + shards + ".json");
  }

  public Path shardTokenFrequencies(int shard, int shards) {
    return shardsDir().resolve("token_freq-" + shard + "-of-" + shards + ".pt");
  }

  /** The row of a sample file or of a leftover temporary file of one, else -1. */
  public static long rowOf(Path file) {
    Matcher m = SAMPLE.matcher(file.getFileName().toString());
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }
}
