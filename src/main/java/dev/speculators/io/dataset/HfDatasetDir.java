package dev.speculators.io.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageMetadataResult;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A Hugging Face {@code datasets} directory written by {@code Dataset.save_to_disk}: {@code
 * state.json} listing the Arrow files in row order ({@code _data_files}), {@code
 * dataset_info.json}, and the Arrow IPC files themselves ({@code data-00000-of-00001.arrow}, the
 * streaming format; the random-access file format is read too). Read with Apache Arrow, one record
 * batch at a time, so a scan holds one batch in memory whatever the dataset's size; no JVM flag is
 * needed (see {@link #forEachBatch}).
 *
 * <p>Only integer columns and lists of integers (or booleans) are read: what a speculators
 * preprocessed dataset holds ({@code input_ids}, {@code loss_mask}, {@code seq_len}).
 */
public final class HfDatasetDir {
  public static final String STATE = "state.json";
  public static final String INFO = "dataset_info.json";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] FILE_MAGIC = {'A', 'R', 'R', 'O', 'W', '1'};

  private final Path dir;
  private final List<Path> files;

  private HfDatasetDir(Path dir, List<Path> files) {
    this.dir = dir;
    this.files = files;
  }

  /** True when {@code dir} looks like a {@code save_to_disk} directory. */
  public static boolean isOne(Path dir) {
    if (Files.isRegularFile(dir.resolve(STATE))) {
      return true;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.anyMatch(p -> p.getFileName().toString().endsWith(".arrow"));
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Opens the directory: the Arrow files named by {@code state.json}, or without one every {@code
   * *.arrow} file by name.
   *
   * @throws IOException when {@code state.json} is malformed, names a missing file, or the
   *     directory holds no Arrow file
   */
  public static HfDatasetDir open(Path dir) throws IOException {
    Path state = dir.resolve(STATE);
    List<Path> files = new ArrayList<>();
    if (Files.isRegularFile(state)) {
      JsonNode s;
      try {
        s = JSON.readTree(state.toFile());
      } catch (IOException e) {
        throw new IOException(state + ": not valid JSON: " + e.getMessage(), e);
      }
      JsonNode indices = s.path("_indices_data_files");
      if (indices.isArray() && !indices.isEmpty()) {
        throw new IOException(
            state
                + ": the dataset was saved with an indices mapping; save it again after"
                + " flatten_indices()");
      }
      JsonNode listed = s.path("_data_files");
      if (!listed.isArray()) {
        throw new IOException(state + ": _data_files must be a list of {\"filename\": ...}");
      }
      for (int i = 0; i < listed.size(); i++) {
        String name = listed.get(i).path("filename").asText("");
        Path p = dir.resolve(name).normalize();
        if (name.isEmpty() || !p.startsWith(dir.normalize())) {
          throw new IOException(state + ": _data_files[" + i + "] has no usable filename");
        }
        if (!Files.isRegularFile(p)) {
          throw new IOException(
              state + ": _data_files[" + i + "] names " + p + ", which is missing");
        }
        files.add(p);
      }
    } else {
      try (Stream<Path> s = Files.list(dir)) {
        s.filter(p -> p.getFileName().toString().endsWith(".arrow")).sorted().forEach(files::add);
      }
    }
    if (files.isEmpty()) {
      throw new IOException("no Arrow data files in " + dir);
    }
    return new HfDatasetDir(dir, List.copyOf(files));
  }

  public Path dir() {
    return dir;
  }

  /** The Arrow files, in row order. */
  public List<Path> dataFiles() {
    return files;
  }

  /** Receives the rows of a {@link #scan}. */
  @FunctionalInterface
  public interface RowConsumer {
    void accept(long row, Row values) throws IOException;
  }

  /** The current row of a scan; valid only inside {@link RowConsumer#accept}. */
  public interface Row {
    /** The Arrow file the row is in (for messages). */
    Path file();

    boolean has(String column);

    /** An integer column's value. */
    long integer(String column) throws IOException;

    /** A list-of-integers (or booleans, as 0/1) column's value. */
    long[] integers(String column) throws IOException;
  }

  /**
   * Visits every row in order.
   *
   * @param required columns every file must have; the message names the file and what it holds
   * @throws IOException when a file cannot be read, lacks a required column, or a value is not of
   *     the asked kind (naming file, row and column), or what {@code consumer} throws
   */
  public void scan(List<String> required, RowConsumer consumer) throws IOException {
    long[] row = {0};
    try (BufferAllocator allocator = new RootAllocator()) {
      for (Path file : files) {
        forEachBatch(
            file,
            allocator,
            root -> {
              for (String column : required) {
                if (root.getVector(column) == null) {
                  throw new IOException(
                      file
                          + ": no column '"
                          + column
                          + "' (columns: "
                          + root.getSchema().getFields().stream().map(f -> f.getName()).toList()
                          + ")");
                }
              }
              BatchRow current = new BatchRow(file, root);
              for (int i = 0; i < root.getRowCount(); i++) {
                current.index = i;
                current.row = row[0];
                consumer.accept(row[0], current);
                row[0]++;
              }
            });
      }
    }
  }

  private interface BatchConsumer {
    void accept(VectorSchemaRoot root) throws IOException;
  }

  /**
   * Loads the record batches of one Arrow file in turn into one {@link VectorSchemaRoot}.
   *
   * <p>Arrow parses the messages and lays out the vectors; only the bytes of each message body are
   * copied into Arrow's buffer here, with {@link ArrowBuf#setBytes}, instead of Arrow's own {@code
   * ReadChannel.readFully(ArrowBuf)}: that one wraps native memory in a {@code ByteBuffer} through
   * {@code DirectByteBuffer}'s private constructor, which Java 17 only allows with {@code
   * --add-opens java.base/java.nio}, a flag every launcher of the application would then need.
   */
  private static void forEachBatch(Path file, BufferAllocator allocator, BatchConsumer consumer)
      throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      ReadChannel in = new ReadChannel(channel);
      if (isFileFormat(file)) {
        // the random-access format: the footer lists where the record batches are
        try (ArrowFileReader footer = new ArrowFileReader(channel, allocator);
            VectorSchemaRoot root =
                VectorSchemaRoot.create(footer.getVectorSchemaRoot().getSchema(), allocator)) {
          List<ArrowBlock> blocks = footer.getRecordBlocks();
          for (ArrowBlock block : blocks) {
            channel.position(block.getOffset());
            MessageMetadataResult message = MessageSerializer.readMessage(in);
            if (message == null || message.headerType() != MessageHeader.RecordBatch) {
              throw new IOException(file + ": no record batch at offset " + block.getOffset());
            }
            load(file, in, message, root, allocator);
            consumer.accept(root);
          }
        }
        return;
      }
      MessageMetadataResult first = MessageSerializer.readMessage(in);
      if (first == null || first.headerType() != MessageHeader.Schema) {
        throw new IOException(file + ": not an Arrow IPC stream (no schema message first)");
      }
      Schema schema = MessageSerializer.deserializeSchema(first);
      try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
        MessageMetadataResult message;
        while ((message = MessageSerializer.readMessage(in)) != null) {
          if (message.headerType() == MessageHeader.DictionaryBatch) {
            throw new IOException(file + ": dictionary-encoded columns are not supported");
          }
          if (message.headerType() != MessageHeader.RecordBatch) {
            throw new IOException(
                file + ": unexpected Arrow message of type " + message.headerType());
          }
          load(file, in, message, root, allocator);
          consumer.accept(root);
        }
      }
    }
  }

  private static void load(
      Path file,
      ReadChannel in,
      MessageMetadataResult message,
      VectorSchemaRoot root,
      BufferAllocator allocator)
      throws IOException {
    long length = message.getMessageBodyLength();
    ArrowBuf body = allocator.buffer(length);
    ArrowRecordBatch batch;
    try {
      byte[] chunk = new byte[(int) Math.min(Math.max(length, 1), 1 << 20)];
      ByteBuffer window = ByteBuffer.wrap(chunk);
      for (long done = 0; done < length; ) {
        int n = (int) Math.min(chunk.length, length - done);
        window.clear().limit(n);
        if (in.readFully(window) != n) {
          throw new IOException(file + ": truncated (a record batch ends early)");
        }
        body.setBytes(done, chunk, 0, n);
        done += n;
      }
      body.writerIndex(length);
    } catch (IOException | RuntimeException e) {
      body.close();
      throw e;
    }
    // takes the body over: the batch's buffers are slices of it, released with the batch
    batch = MessageSerializer.deserializeRecordBatch(message, body);
    try (batch) {
      new VectorLoader(root).load(batch);
    }
  }

  private static boolean isFileFormat(Path file) throws IOException {
    byte[] head = new byte[FILE_MAGIC.length];
    try (InputStream in = Files.newInputStream(file)) {
      return in.readNBytes(head, 0, head.length) == head.length && Arrays.equals(head, FILE_MAGIC);
    }
  }

  /** A row of the record batch the reader holds. */
  private static final class BatchRow implements Row {
    private final Path file;
    private final VectorSchemaRoot root;
    private int index;
    private long row;

    BatchRow(Path file, VectorSchemaRoot root) {
      this.file = file;
      this.root = root;
    }

    @Override
    public Path file() {
      return file;
    }

    @Override
    public boolean has(String column) {
      return root.getVector(column) != null;
    }

    @Override
    public long integer(String column) throws IOException {
      FieldVector v = vector(column);
      if (!(v instanceof BaseIntVector ints)) {
        throw problem(column, "is " + v.getField().getType() + ", not an integer");
      }
      if (v.isNull(index)) {
        throw problem(column, "is null");
      }
      return ints.getValueAsLong(index);
    }

    @Override
    public long[] integers(String column) throws IOException {
      FieldVector v = vector(column);
      if (v.isNull(index)) {
        throw problem(column, "is null");
      }
      long start;
      long end;
      ValueVector values;
      if (v instanceof ListVector list) {
        start = list.getElementStartIndex(index);
        end = list.getElementEndIndex(index);
        values = list.getDataVector();
      } else if (v instanceof LargeListVector list) {
        start = list.getElementStartIndex(index);
        end = list.getElementEndIndex(index);
        values = list.getDataVector();
      } else if (v instanceof FixedSizeListVector list) {
        start = (long) index * list.getListSize();
        end = start + list.getListSize();
        values = list.getDataVector();
      } else {
        throw problem(column, "is " + v.getField().getType() + ", not a list of integers");
      }
      if (end - start > Integer.MAX_VALUE) {
        throw problem(column, "holds " + (end - start) + " values");
      }
      long[] out = new long[(int) (end - start)];
      for (int k = 0; k < out.length; k++) {
        int at = Math.toIntExact(start + k);
        if (values.isNull(at)) {
          throw problem(column, "has a null at position " + k);
        }
        if (values instanceof BaseIntVector ints) {
          out[k] = ints.getValueAsLong(at);
        } else if (values instanceof BitVector bits) {
          out[k] = bits.get(at);
        } else {
          throw problem(
              column, "is a list of " + values.getField().getType() + ", not of integers");
        }
      }
      return out;
    }

    private FieldVector vector(String column) throws IOException {
      FieldVector v = root.getVector(column);
      if (v == null) {
        throw new IOException(file + ": no column '" + column + "'");
      }
      return v;
    }

    private IOException problem(String column, String what) {
      return new IOException(file + ": row " + row + ": column '" + column + "' " + what);
    }
  }
}
