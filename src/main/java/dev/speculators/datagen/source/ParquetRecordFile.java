package dev.speculators.datagen.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.function.LongPredicate;

/**
 * A Parquet file read through DuckDB's JDBC driver (in-memory database, no files of its own). Each
 * row becomes a JSON object via DuckDB's {@code to_json}, so nested columns (UltraChat's {@code
 * messages: list<struct<content, role>>}) arrive in the same shape as JSON sources. Rows are
 * ordered by their row number in the file, which makes the index stable across runs.
 */
final class ParquetRecordFile implements RecordFile {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path path;

  ParquetRecordFile(Path path) {
    this.path = path;
  }

  @Override
  public Path path() {
    return path;
  }

  @Override
  public long count() throws IOException {
    try (Connection c = connect();
        PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM read_parquet(?)")) {
      ps.setString(1, path.toString());
      try (ResultSet r = ps.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    } catch (SQLException e) {
      throw new SourceFormatException(path + ": cannot read as Parquet: " + e.getMessage(), e);
    }
  }

  @Override
  public void read(LongPredicate wanted, RecordVisitor visitor) throws IOException {
    String sql =
        "SELECT file_row_number, to_json(t)::VARCHAR FROM read_parquet(?, file_row_number=true) t"
            + " ORDER BY file_row_number";
    try (Connection c = connect();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, path.toString());
      try (ResultSet r = ps.executeQuery()) {
        while (r.next()) {
          long row = r.getLong(1);
          if (!wanted.test(row)) {
            continue;
          }
          JsonNode node;
          try {
            node = JSON.readTree(r.getString(2));
          } catch (JsonProcessingException e) {
            throw new SourceFormatException(
                path + " row " + row + ": " + e.getOriginalMessage(), e);
          }
          ((com.fasterxml.jackson.databind.node.ObjectNode) node).remove("file_row_number");
          visitor.accept(row, node, path.getFileName() + " row " + row);
        }
      }
    } catch (SQLException e) {
      throw new SourceFormatException(path + ": cannot read as Parquet: " + e.getMessage(), e);
    }
  }

  private static Connection connect() throws SQLException {
    return DriverManager.getConnection("jdbc:duckdb:");
  }
}
