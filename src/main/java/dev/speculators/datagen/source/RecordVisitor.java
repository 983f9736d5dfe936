package dev.speculators.datagen.source;

import com.fasterxml.jackson.databind.JsonNode;

/** Receives the records a {@link RecordFile} was asked for, in file order. */
@FunctionalInterface
public interface RecordVisitor {
  /**
   * @param index the record's position in its source (0-based, counting every record)
   * @param record the record as JSON
   * @param location where it is, for error messages ({@code file.jsonl line 17})
   */
  void accept(long index, JsonNode record, String location);
}
