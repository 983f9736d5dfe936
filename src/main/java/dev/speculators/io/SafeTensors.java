package dev.speculators.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header
 * ({@code name -> {dtype, shape, data_offsets}} plus optional {@code __metadata__}), then the raw
 * little-endian tensor bytes.
 */
public final class SafeTensors {
  /** The reference implementation refuses larger headers; so do we. */
  static final long MAX_HEADER_BYTES = 100_000_000L;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String METADATA = "__metadata__";

  /**
   * The data order of the reference (Rust) writer: larger alignment first, so every tensor starts
   * naturally aligned, then by name. Writing the same order makes our files byte-identical to the
   * reference writer's.
   */
  private static final List<DType> WRITE_ORDER =
      List.of(
          DType.I64,
          DType.F64,
          DType.F32,
          DType.I32,
          DType.BF16,
          DType.F16,
          DType.I16,
          DType.I8,
          DType.U8,
          DType.BOOL);

  private SafeTensors() {}

  /**
   * Opens and validates a safetensors file; the tensors are read on demand.
   *
   * @throws TensorFileException for a truncated file, a malformed header, or tensors whose offsets
   *     overlap, leave the data section, or disagree with dtype and shape
   */
  public static SafeTensorsFile open(Path path) throws IOException {
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    try {
      long fileSize = channel.size();
      if (fileSize < 8) {
        throw new TensorFileException(
            path, "file has " + fileSize + " bytes, too short for a safetensors header");
      }
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(channel, len, 0, path);
      long headerLength = len.getLong(0);
      if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
        throw new TensorFileException(
            path, "header length " + headerLength + " is invalid (not a safetensors file?)");
      }
      if (8 + headerLength > fileSize) {
        throw new TensorFileException(
            path,
            "header of "
                + headerLength
                + " bytes does not fit in the file of "
                + fileSize
                + " bytes (truncated)");
      }
      ByteBuffer header = ByteBuffer.allocate((int) headerLength);
      readFully(channel, header, 8, path);
      long dataStart = 8 + headerLength;
      Parsed parsed = parseHeader(path, header.array(), fileSize - dataStart);
      return new SafeTensorsFile(path, channel, dataStart, parsed.tensors, parsed.metadata);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** Reads every tensor of a file (small files; large ones should stay open and be read lazily). */
  public static Map<String, HostTensor> readAll(Path path) throws IOException {
    try (SafeTensorsFile f = open(path)) {
      return f.getAll();
    }
  }

  /**
   * Writes {@code tensors} atomically, laid out like the reference writer (header padded with
   * spaces to a multiple of 8 bytes, data ordered by alignment then name).
   *
   * @param metadata written as {@code __metadata__} (in its iteration order) when non-empty; may be
   *     null
   */
  public static void write(Path path, Map<String, HostTensor> tensors, Map<String, String> metadata)
      throws IOException {
    write(path, tensors, metadata, false);
  }

  /**
   * Like {@link #write}, with every F32 tensor stored as BF16 (round-to-nearest-even, as {@link
   * HostTensor#toBf16}), converted a chunk at a time while writing: no BF16 copy of the tensors is
   * ever held in memory, so a model of any size is written with a small, fixed buffer.
   */
  public static void writeF32AsBf16(
      Path path, Map<String, HostTensor> tensors, Map<String, String> metadata) throws IOException {
    write(path, tensors, metadata, true);
  }

  /**
   * A tensor to write whose bytes are produced only when its turn comes and released right after: a
   * model held elsewhere (on a GPU, say) is written one tensor at a time.
   */
  public interface Source {
    DType dtype();

    long[] shape();

    /** The tensor's bytes, valid until {@link #release()}. */
    HostTensor open() throws IOException;

    /** Called once the bytes are written. */
    default void release() {}

    /** A tensor already in memory. */
    static Source of(HostTensor t) {
      return new Source() {
        @Override
        public DType dtype() {
          return t.dtype();
        }

        @Override
        public long[] shape() {
          return t.shape();
        }

        @Override
        public HostTensor open() {
          return t;
        }
      };
    }
  }

  /**
   * Writes tensors produced one at a time ({@link Source}), atomically and laid out like {@link
   * #write}; with {@code f32AsBf16}, F32 tensors are stored as BF16 as {@link #writeF32AsBf16}
   * does.
   */
  public static void writeSources(
      Path path, Map<String, Source> tensors, Map<String, String> metadata, boolean f32AsBf16)
      throws IOException {
    List<Map.Entry<String, Source>> ordered = new ArrayList<>(tensors.entrySet());
    for (Map.Entry<String, Source> e : ordered) {
      if (e.getKey() == null || e.getKey().equals(METADATA) || e.getValue() == null) {
        throw new IllegalArgumentException("invalid tensor entry '" + e.getKey() + "'");
      }
    }
    ordered.sort(
        Comparator.<Map.Entry<String, Source>>comparingInt(
                e -> WRITE_ORDER.indexOf(stored(e.getValue().dtype(), f32AsBf16)))
            .thenComparing(Map.Entry::getKey));
    byte[] header = header(ordered, metadata, f32AsBf16);
    AtomicFiles.writeVia(
        path,
        tmp -> {
          try (FileChannel out =
              FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
            ByteBuffer len =
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
            writeFully(out, len);
            writeFully(out, ByteBuffer.wrap(header));
            ByteBuffer chunk = ByteBuffer.allocate(BF16_CHUNK * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (Map.Entry<String, Source> e : ordered) {
              Source source = e.getValue();
              HostTensor t = source.open();
              try {
                if (!Arrays.equals(t.shape(), source.shape()) || t.dtype() != source.dtype()) {
                  throw new IllegalStateException(
                      e.getKey() + " changed dtype or shape between the header and the data");
                }
                if (stored(t.dtype(), f32AsBf16) == t.dtype()) {
                  writeFully(out, t.data());
                } else {
                  writeBf16(out, t.data().asFloatBuffer(), chunk);
                }
              } finally {
                source.release();
              }
            }
          }
        });
  }

  private static void write(
      Path path, Map<String, HostTensor> tensors, Map<String, String> metadata, boolean toBf16)
      throws IOException {
    Map<String, Source> sources = new LinkedHashMap<>();
    for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
      sources.put(e.getKey(), e.getValue() == null ? null : Source.of(e.getValue()));
    }
    writeSources(path, sources, metadata, toBf16);
  }

  private static final int BF16_CHUNK = 1 << 16;

  private static DType stored(DType dtype, boolean toBf16) {
    return toBf16 && dtype == DType.F32 ? DType.BF16 : dtype;
  }

  private static void writeBf16(FileChannel out, FloatBuffer src, ByteBuffer chunk)
      throws IOException {
    while (src.hasRemaining()) {
      chunk.clear();
      int n = Math.min(BF16_CHUNK, src.remaining());
      for (int i = 0; i < n; i++) {
        chunk.putShort(HalfFloats.floatToBf16(src.get()));
      }
      chunk.flip();
      writeFully(out, chunk);
    }
  }

  private static byte[] header(
      List<Map.Entry<String, Source>> ordered, Map<String, String> metadata, boolean toBf16)
      throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JsonGenerator g = new JsonFactory().createGenerator(bytes)) {
      g.writeStartObject();
      if (metadata != null && !metadata.isEmpty()) {
        g.writeObjectFieldStart(METADATA);
        for (Map.Entry<String, String> m : metadata.entrySet()) {
          g.writeStringField(m.getKey(), m.getValue());
        }
        g.writeEndObject();
      }
      long offset = 0;
      for (Map.Entry<String, Source> e : ordered) {
        Source t = e.getValue();
        DType dtype = stored(t.dtype(), toBf16);
        g.writeObjectFieldStart(e.getKey());
        g.writeStringField("dtype", dtype.safetensorsName());
        g.writeArrayFieldStart("shape");
        for (long d : t.shape()) {
          g.writeNumber(d);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("data_offsets");
        g.writeNumber(offset);
        long numel = 1;
        for (long d : t.shape()) {
          numel *= d;
        }
        offset += numel * dtype.byteSize();
        g.writeNumber(offset);
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndObject();
    }
    int pad = (8 - bytes.size() % 8) % 8;
    for (int i = 0; i < pad; i++) {
      bytes.write(' ');
    }
    return bytes.toByteArray();
  }

  private record Parsed(
      Map<String, SafeTensorsFile.TensorInfo> tensors, Map<String, String> metadata) {}

  private static Parsed parseHeader(Path path, byte[] header, long dataLength)
      throws TensorFileException {
    if (header[0] != '{') {
      throw new TensorFileException(
          path, "header does not start with '{' (not a safetensors file?)");
    }
    JsonNode root;
    try {
      root = JSON.readTree(new String(header, StandardCharsets.UTF_8).stripTrailing());
    } catch (JsonProcessingException e) {
      throw new TensorFileException(path, "header is not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new TensorFileException(path, "header is not a JSON object");
    }
    Map<String, SafeTensorsFile.TensorInfo> tensors = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      String name = field.getKey();
      JsonNode node = field.getValue();
      if (METADATA.equals(name)) {
        if (!node.isObject() && !node.isNull()) {
          throw new TensorFileException(path, "__metadata__ is not an object");
        }
        for (Map.Entry<String, JsonNode> kv : node.properties()) {
          if (!kv.getValue().isTextual()) {
            throw new TensorFileException(
                path, "__metadata__ value of '" + kv.getKey() + "' is not a string");
          }
          metadata.put(kv.getKey(), kv.getValue().asText());
        }
        continue;
      }
      tensors.put(name, tensorInfo(path, name, node, dataLength));
    }
    checkOverlaps(path, tensors);
    return new Parsed(Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
  }

  private static SafeTensorsFile.TensorInfo tensorInfo(
      Path path, String name, JsonNode node, long dataLength) throws TensorFileException {
    String where = "tensor '" + name + "'";
    if (!node.isObject()) {
      throw new TensorFileException(path, where + " is not a JSON object");
    }
    JsonNode dtypeNode = node.get("dtype");
    if (dtypeNode == null || !dtypeNode.isTextual()) {
      throw new TensorFileException(path, where + " has no dtype");
    }
    DType dtype;
    try {
      dtype = DType.fromSafetensors(dtypeNode.asText());
    } catch (IllegalArgumentException e) {
      throw new TensorFileException(path, where + ": " + e.getMessage());
    }
    long[] shape = longs(path, where, "shape", node.get("shape"), -1);
    long[] offsets = longs(path, where, "data_offsets", node.get("data_offsets"), 2);
    long begin = offsets[0];
    long end = offsets[1];
    if (end < begin) {
      throw new TensorFileException(
          path, where + " has data_offsets " + Arrays.toString(offsets) + " with end before begin");
    }
    long needed;
    try {
      needed = Math.multiplyExact(HostTensor.numelOf(shape), dtype.byteSize());
    } catch (ArithmeticException e) {
      throw new TensorFileException(
          path, where + " has an impossibly large shape " + Arrays.toString(shape));
    }
    if (end - begin != needed) {
      throw new TensorFileException(
          path,
          where
              + " has data_offsets "
              + Arrays.toString(offsets)
              + " ("
              + (end - begin)
              + " bytes) but "
              + dtype
              + Arrays.toString(shape)
              + " needs "
              + needed
              + " bytes");
    }
    if (end > dataLength) {
      throw new TensorFileException(
          path,
          where
              + " ends at data byte "
              + end
              + " but the file holds only "
              + dataLength
              + " bytes of data (truncated)");
    }
    return new SafeTensorsFile.TensorInfo(name, dtype, shape, begin, end);
  }

  private static long[] longs(
      Path path, String where, String field, JsonNode node, int expectedLength)
      throws TensorFileException {
    if (node == null || !node.isArray() || (expectedLength >= 0 && node.size() != expectedLength)) {
      throw new TensorFileException(
          path,
          where
              + " has no valid "
              + field
              + (expectedLength >= 0 ? " (expected " + expectedLength + " integers)" : ""));
    }
    long[] out = new long[node.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = node.get(i);
      if (!v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0) {
        throw new TensorFileException(path, where + " has an invalid " + field + " entry " + v);
      }
      out[i] = v.asLong();
    }
    return out;
  }

  private static void checkOverlaps(Path path, Map<String, SafeTensorsFile.TensorInfo> tensors)
      throws TensorFileException {
    List<SafeTensorsFile.TensorInfo> byOffset = new ArrayList<>(tensors.values());
    byOffset.removeIf(t -> t.begin() == t.end());
    byOffset.sort(Comparator.comparingLong(SafeTensorsFile.TensorInfo::begin));
    for (int i = 1; i < byOffset.size(); i++) {
      SafeTensorsFile.TensorInfo prev = byOffset.get(i - 1);
      SafeTensorsFile.TensorInfo cur = byOffset.get(i);
      if (cur.begin() < prev.end()) {
        throw new TensorFileException(
            path,
            "tensors '"
                + prev.name()
                + "' ["
                + prev.begin()
                + ", "
                + prev.end()
                + ") and '"
                + cur.name()
                + "' ["
                + cur.begin()
                + ", "
                + cur.end()
                + ") overlap");
      }
    }
  }

  private static void readFully(FileChannel channel, ByteBuffer dst, long position, Path path)
      throws IOException {
    while (dst.hasRemaining()) {
      if (channel.read(dst, position + dst.position()) < 0) {
        throw new TensorFileException(path, "unexpected end of file");
      }
    }
  }

  static void writeFully(FileChannel out, ByteBuffer src) throws IOException {
    while (src.hasRemaining()) {
      out.write(src);
    }
  }
}
