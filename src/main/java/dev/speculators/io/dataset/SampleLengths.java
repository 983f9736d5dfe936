package dev.speculators.io.dataset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speculators.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * {@code sample_lengths.json}: sample file index (as a string key) to sequence length, which
 * training uses to pack batches without opening every sample.
 */
public final class SampleLengths {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SampleLengths() {}

  /**
   * Reads the lengths, ordered by index.
   *
   * @throws IOException naming the entry that is not an index/length pair
   */
  public static SortedMap<Integer, Integer> read(Path path) throws IOException {
    JsonNode root;
    try {
      root = JSON.readTree(path.toFile());
    } catch (JsonProcessingException e) {
      throw new IOException(path + ": malformed JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IOException(path + ": expected a JSON object of index -> length");
    }
    SortedMap<Integer, Integer> out = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : root.properties()) {
      int index;
      try {
        index = Integer.parseInt(e.getKey());
      } catch (NumberFormatException ex) {
        throw new IOException(path + ": key \"" + e.getKey() + "\" is not a sample index");
      }
      JsonNode v = e.getValue();
      if (index < 0 || !v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0) {
        throw new IOException(
            path + ": entry \"" + e.getKey() + "\": " + v + " is not a sample length");
      }
      out.put(index, v.intValue());
    }
    return out;
  }

  /**
   * Writes the lengths atomically, ordered by index, formatted like Python's {@code json.dump(...,
   * indent=2)} (the upstream writer).
   */
  public static void write(Path path, Map<Integer, Integer> lengths) throws IOException {
    AtomicFiles.writeString(path, format(lengths));
  }

  static String format(Map<Integer, Integer> lengths) {
    if (lengths.isEmpty()) {
      return "{}";
    }
    StringBuilder b = new StringBuilder("{\n");
    Iterator<Map.Entry<Integer, Integer>> it = new TreeMap<>(lengths).entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Integer, Integer> e = it.next();
      b.append("  \"").append(e.getKey()).append("\": ").append(e.getValue());
      b.append(it.hasNext() ? ",\n" : "\n");
    }
    return b.append('}').toString();
  }
}
