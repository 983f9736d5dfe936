package dev.speculators.datagen.source;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Path;
import java.util.function.LongPredicate;

/**
 * A {@code .json} file: a top-level array of records (ShareGPT), or — as the Hugging Face json
 * loader also accepts — a sequence of top-level objects (JSON lines under a {@code .json} name).
 * Streamed with Jackson: records that are not wanted are skipped without building trees, so a 600
 * MB ShareGPT file never sits in memory.
 */
final class JsonRecordFile implements RecordFile {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path path;

  JsonRecordFile(Path path) {
    this.path = path;
  }

  @Override
  public Path path() {
    return path;
  }

  @Override
  public long count() throws IOException {
    long[] n = {0};
    scan(i -> false, (i, r, w) -> {}, n);
    return n[0];
  }

  @Override
  public void read(LongPredicate wanted, RecordVisitor visitor) throws IOException {
    scan(wanted, visitor, new long[1]);
  }

  private void scan(LongPredicate wanted, RecordVisitor visitor, long[] count) throws IOException {
    try (Reader reader = JsonLinesRecordFile.reader(path);
        JsonParser p = JSON.getFactory().createParser(reader)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        return;
      }
      boolean array = first == JsonToken.START_ARRAY;
      JsonToken t = array ? p.nextToken() : first;
      long index = 0;
      while (t != null && t != JsonToken.END_ARRAY) {
        if (t != JsonToken.START_OBJECT) {
          throw new SourceFormatException(
              where(p.currentTokenLocation())
                  + ": expected a JSON object for record "
                  + index
                  + ", found "
                  + t,
              null);
        }
        JsonLocation at = p.currentTokenLocation();
        if (wanted.test(index)) {
          JsonNode node = JSON.readTree(p);
          visitor.accept(
              index,
              node,
              path.getFileName() + " record " + index + " (line " + at.getLineNr() + ")");
        } else {
          p.skipChildren();
        }
        index++;
        t = p.nextToken();
      }
      count[0] = index;
      if (array && t == JsonToken.END_ARRAY && p.nextToken() != null) {
        throw new SourceFormatException(
            where(p.currentTokenLocation()) + ": content after the top-level array", null);
      }
    } catch (JsonProcessingException e) {
      throw new SourceFormatException(
          where(e.getLocation()) + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  private String where(JsonLocation loc) {
    return loc == null
        ? path.toString()
        : path + " line " + loc.getLineNr() + " column " + loc.getColumnNr();
  }
}
