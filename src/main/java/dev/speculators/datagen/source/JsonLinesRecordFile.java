package dev.speculators.datagen.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongPredicate;
import java.util.zip.GZIPInputStream;

/** One JSON object per line; blank lines are ignored and do not count as records. */
final class JsonLinesRecordFile implements RecordFile {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path path;

  JsonLinesRecordFile(Path path) {
    this.path = path;
  }

  @Override
  public Path path() {
    return path;
  }

  @Override
  public long count() throws IOException {
    long n = 0;
    try (BufferedReader r = reader(path)) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (!line.isBlank()) {
          n++;
        }
      }
    }
    return n;
  }

  @Override
  public void read(LongPredicate wanted, RecordVisitor visitor) throws IOException {
    long index = 0;
    long lineNo = 0;
    try (BufferedReader r = reader(path)) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        if (wanted.test(index)) {
          String where = path.getFileName() + " line " + lineNo;
          JsonNode node;
          try {
            node = JSON.readTree(line);
          } catch (JsonProcessingException e) {
            throw new SourceFormatException(
                path + " line " + lineNo + ": not valid JSON: " + e.getOriginalMessage(), e);
          }
          if (!node.isObject()) {
            throw new SourceFormatException(
                path + " line " + lineNo + ": expected a JSON object, found " + node.getNodeType(),
                null);
          }
          visitor.accept(index, node, where);
        }
        index++;
      }
    }
  }

  static BufferedReader reader(Path p) throws IOException {
    InputStream in = Files.newInputStream(p);
    if (p.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".gz")) {
      in = new GZIPInputStream(in, 1 << 16);
    }
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
  }
}
