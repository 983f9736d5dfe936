package dev.speculators.datagen.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class RecordFileTest {
  @TempDir Path dir;

  static List<String> read(RecordFile f, java.util.function.LongPredicate wanted) throws Exception {
    List<String> out = new ArrayList<>();
    f.read(wanted, (i, node, where) -> out.add(i + ":" + node.get("id").asText() + "@" + where));
    return out;
  }

  @Test
  void jsonArrayStreamsOnlyWantedRecords() throws Exception {
    Path p = dir.resolve("sharegpt.json");
    Files.writeString(
        p,
        "[\n {\"id\": \"a\", \"conversations\": []},\n {\"id\": \"b\"},\n {\"id\": \"c\", \"x\": [1, {\"y\": 2}]}\n]\n");
    RecordFile f = RecordFile.open(p);
    assertThat(f.count()).isEqualTo(3);
    assertThat(read(f, i -> i != 1))
        .containsExactly(
            "0:a@sharegpt.json record 0 (line 2)", "2:c@sharegpt.json record 2 (line 4)");
  }

  @Test
  void jsonFileWithOneObjectPerLine() throws Exception {
    Path p = dir.resolve("lines.json");
    Files.writeString(p, "{\"id\": \"a\"}\n{\"id\": \"b\"}\n");
    assertThat(RecordFile.open(p).count()).isEqualTo(2);
    assertThat(read(RecordFile.open(p), i -> true)).hasSize(2);
  }

  @Test
  void jsonLinesSkipsBlankLinesAndNamesBadLine() throws Exception {
    Path p = dir.resolve("d.jsonl");
    Files.writeString(p, "{\"id\": \"a\"}\n\n{\"id\": \"b\"}\n{\"id\": oops}\n");
    RecordFile f = RecordFile.open(p);
    assertThat(f.count()).isEqualTo(3);
    assertThat(read(f, i -> i < 2)).containsExactly("0:a@d.jsonl line 1", "1:b@d.jsonl line 3");
    assertThatThrownBy(() -> read(f, i -> true))
        .isInstanceOf(SourceFormatException.class)
        .hasMessageContaining("d.jsonl line 4");
  }

  @Test
  void gzippedJsonLines() throws Exception {
    Path p = dir.resolve("d.jsonl.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
      out.write("{\"id\": \"a\"}\n{\"id\": \"b\"}\n".getBytes(StandardCharsets.UTF_8));
    }
    assertThat(read(RecordFile.open(p), i -> true))
        .containsExactly("0:a@d.jsonl.gz line 1", "1:b@d.jsonl.gz line 2");
  }

  @Test
  void malformedJsonArrayNamesLine() throws Exception {
    Path p = dir.resolve("bad.json");
    Files.writeString(p, "[\n{\"id\": \"a\"},\n{\"id\": \"b\",,}\n]");
    assertThatThrownBy(() -> RecordFile.open(p).count())
        .isInstanceOf(SourceFormatException.class)
        .hasMessageContaining("bad.json line 3");
  }

  @Test
  void parquetThroughDuckDb() throws Exception {
    Path p = dir.resolve("train_sft-00000.parquet");
    writeUltraChatParquet(p, 5);
    RecordFile f = RecordFile.open(p);
    assertThat(f.count()).isEqualTo(5);
    List<String> messages = new ArrayList<>();
    f.read(
        i -> i % 2 == 0,
        (i, node, where) ->
            messages.add(i + ":" + node.get("messages").get(1).get("content").asText()));
    assertThat(messages).containsExactly("0:a0", "2:a2", "4:a4");
  }

  @Test
  void notParquetIsAClearError() throws Exception {
    Path p = dir.resolve("x.parquet");
    Files.writeString(p, "not parquet");
    assertThatThrownBy(() -> RecordFile.open(p).count())
        .isInstanceOf(SourceFormatException.class)
        .hasMessageContaining("x.parquet");
  }

  @Test
  void unsupportedExtension() {
    assertThatThrownBy(() -> RecordFile.open(dir.resolve("a.csv")))
        .hasMessageContaining("unsupported dataset file");
  }

  /**
   * An UltraChat-shaped Parquet file (prompt, prompt_id, messages list<struct<content, role>>),
   * written by DuckDB.
   */
  public static void writeUltraChatParquet(Path p, int rows) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement()) {
      s.execute(
          "COPY (SELECT 'p' || i AS prompt, md5(i::VARCHAR) AS prompt_id,"
              + " [{'content': 'u' || i, 'role': 'user'}, {'content': 'a' || i, 'role': 'assistant'}] AS messages"
              + " FROM range("
              + rows
              + ") t(i)) TO '"
              + p.toString().replace("'", "''")
              + "' (FORMAT parquet)");
    }
  }
}
