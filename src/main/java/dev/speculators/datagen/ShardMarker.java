package dev.speculators.datagen;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.speculators.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code shards/shard-<i>-of-<n>.json}: written when shard {@code i} has processed every row of its
 * range. It carries what the merge needs (sample lengths, counts, failed rows) and the content
 * hash, so that markers of another plan are never merged.
 */
public record ShardMarker(
    String contentHash,
    int shard,
    int shards,
    long rowFrom,
    long rowTo,
    long samples,
    long tokens,
    long maskedTokens,
    List<Long> emptyRows,
    Map<Long, String> failedRows,
    Map<Long, Integer> sampleLengths) {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public void write(Path path) throws IOException {
    AtomicFiles.writeBytes(path, JSON.writeValueAsBytes(this));
  }

  public static ShardMarker read(Path path) throws IOException {
    try {
      return JSON.readValue(path.toFile(), ShardMarker.class);
    } catch (IOException e) {
      throw new IOException(path + ": not a valid shard marker: " + e.getMessage(), e);
    }
  }
}
