package dev.speculators.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes numpy {@code .npy} files (format versions 1, 2 and 3) holding one C-ordered
 * array of a plain little-endian dtype. The header is a Python dict literal; writing reproduces
 * numpy's own layout (64-byte alignment and the spare space it reserves for growing arrays), so our
 * files are byte-identical to {@code np.save}'s.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final int ARRAY_ALIGN = 64;
  private static final int GROWTH_AXIS_MAX_DIGITS = 21;
  private static final long MMAP_THRESHOLD = 64 * 1024;

  private Npy() {}

  /**
   * Reads an {@code .npy} file; large arrays are memory-mapped.
   *
   * @throws TensorFileException for a bad magic or header, Fortran order, an unsupported dtype, or
   *     fewer data bytes than the header promises
   */
  public static HostTensor read(Path path) throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long fileSize = ch.size();
      ByteBuffer head = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
      int got = readUpTo(ch, head, 0);
      for (int i = 0; i < MAGIC.length; i++) {
        if (got <= i || head.get(i) != MAGIC[i]) {
          throw new TensorFileException(path, "not a .npy file (bad magic)");
        }
      }
      if (got < 10) {
        throw new TensorFileException(path, "truncated .npy header");
      }
      int major = head.get(6) & 0xFF;
      long headerLength;
      int prefix;
      Charset charset;
      if (major == 1) {
        headerLength = head.getShort(8) & 0xFFFF;
        prefix = 10;
        charset = StandardCharsets.ISO_8859_1;
      } else if (major == 2 || major == 3) {
        if (got < 12) {
          throw new TensorFileException(path, "truncated .npy header");
        }
        headerLength = head.getInt(8) & 0xFFFFFFFFL;
        prefix = 12;
        charset = major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
      } else {
        throw new TensorFileException(
            path, "unsupported .npy format version " + major + "." + (head.get(7) & 0xFF));
      }
      if (prefix + headerLength > fileSize || headerLength > 100_000_000L) {
        throw new TensorFileException(
            path, "truncated .npy header (" + headerLength + " bytes announced)");
      }
      ByteBuffer header = ByteBuffer.allocate((int) headerLength);
      readUpTo(ch, header, prefix);
      String text = new String(header.array(), charset);
      Map<String, Object> dict;
      try {
        dict = new LiteralParser(text).parseDict();
      } catch (IllegalArgumentException e) {
        throw new TensorFileException(
            path, "malformed .npy header " + text.strip() + ": " + e.getMessage());
      }
      HeaderFields h = fields(path, dict);
      long dataStart = prefix + headerLength;
      long needed = HostTensor.numelOf(h.shape) * h.dtype.byteSize();
      if (dataStart + needed > fileSize) {
        throw new TensorFileException(
            path,
            "truncated: "
                + h.dtype
                + java.util.Arrays.toString(h.shape)
                + " needs "
                + needed
                + " data bytes, the file has "
                + (fileSize - dataStart));
      }
      if (needed > Integer.MAX_VALUE - 8) {
        throw new TensorFileException(
            path, "array of " + needed + " bytes exceeds the 2 GiB host buffer limit");
      }
      ByteBuffer data;
      if (needed >= MMAP_THRESHOLD) {
        data = ch.map(FileChannel.MapMode.READ_ONLY, dataStart, needed);
      } else {
        data = ByteBuffer.allocate((int) needed);
        readUpTo(ch, data, dataStart);
        data.flip();
      }
      return HostTensor.wrapUnchecked(h.dtype, h.shape, data.order(ByteOrder.LITTLE_ENDIAN));
    }
  }

  /**
   * Writes {@code tensor} as {@code .npy} atomically, exactly as {@code np.save} would.
   *
   * @throws UnsupportedOperationException for BF16, which numpy has no type for
   */
  public static void write(Path path, HostTensor tensor) throws IOException {
    byte[] header = header(tensor.dtype().numpyDescr(), tensor.shape());
    AtomicFiles.writeVia(
        path,
        tmp -> {
          try (FileChannel out =
              FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
            SafeTensors.writeFully(out, ByteBuffer.wrap(header));
            SafeTensors.writeFully(out, tensor.data());
          }
        });
  }

  /** Magic, version, length and the padded dict literal, laid out like numpy does it. */
  static byte[] header(String descr, long[] shape) {
    StringBuilder dict = new StringBuilder();
    dict.append("{'descr': '").append(descr).append("', 'fortran_order': False, 'shape': (");
    for (int i = 0; i < shape.length; i++) {
      dict.append(shape[i]);
      if (shape.length == 1 || i < shape.length - 1) {
        dict.append(shape.length == 1 ? "," : ", ");
      }
    }
    dict.append("), }");
    if (shape.length > 0) {
      dict.append(" ".repeat(GROWTH_AXIS_MAX_DIGITS - Long.toString(shape[0]).length()));
    }
    byte[] text = dict.toString().getBytes(StandardCharsets.ISO_8859_1);
    int hlen = text.length + 1;
    int major = 1;
    int prefix = 10;
    int pad = padding(prefix, hlen);
    if (hlen + pad > 0xFFFF) { // numpy falls back to version 2 when the length needs 4 bytes
      major = 2;
      prefix = 12;
      pad = padding(prefix, hlen);
    }
    ByteBuffer out = ByteBuffer.allocate(prefix + hlen + pad).order(ByteOrder.LITTLE_ENDIAN);
    out.put(MAGIC).put((byte) major).put((byte) 0);
    if (major == 1) {
      out.putShort((short) (hlen + pad));
    } else {
      out.putInt(hlen + pad);
    }
    out.put(text);
    for (int i = 0; i < pad; i++) {
      out.put((byte) ' ');
    }
    out.put((byte) '\n');
    return out.array();
  }

  private static int padding(int prefix, int hlen) {
    // numpy pads by 1..64 bytes, a full 64 when already aligned
    return ARRAY_ALIGN - ((prefix + hlen) % ARRAY_ALIGN);
  }

  private record HeaderFields(DType dtype, long[] shape) {}

  private static HeaderFields fields(Path path, Map<String, Object> dict)
      throws TensorFileException {
    Object descr = dict.get("descr");
    Object fortran = dict.get("fortran_order");
    Object shapeObj = dict.get("shape");
    if (!(descr instanceof String)) {
      throw new TensorFileException(
          path,
          "header 'descr' is missing or not a plain dtype string (structured arrays are not supported)");
    }
    if (!(fortran instanceof Boolean)) {
      throw new TensorFileException(path, "header 'fortran_order' is missing");
    }
    if (!(shapeObj instanceof List)) {
      throw new TensorFileException(path, "header 'shape' is missing or not a tuple");
    }
    List<?> shapeList = (List<?>) shapeObj;
    long[] shape = new long[shapeList.size()];
    for (int i = 0; i < shape.length; i++) {
      Object d = shapeList.get(i);
      if (!(d instanceof Long) || (Long) d < 0) {
        throw new TensorFileException(path, "header 'shape' has an invalid dimension " + d);
      }
      shape[i] = (Long) d;
    }
    if ((Boolean) fortran && shape.length > 1) {
      throw new TensorFileException(
          path, "array is stored in Fortran order; save it in C order (np.ascontiguousarray)");
    }
    DType dtype;
    try {
      dtype = DType.fromNumpyDescr((String) descr);
    } catch (IllegalArgumentException e) {
      throw new TensorFileException(path, e.getMessage());
    }
    return new HeaderFields(dtype, shape);
  }

  private static int readUpTo(FileChannel ch, ByteBuffer dst, long position) throws IOException {
    int total = 0;
    while (dst.hasRemaining()) {
      int n = ch.read(dst, position + total);
      if (n < 0) {
        break;
      }
      total += n;
    }
    return total;
  }

  /**
   * Parses the Python literal subset numpy headers use: a dict of strings, booleans, int tuples.
   */
  private static final class LiteralParser {
    private final String s;
    private int i;

    LiteralParser(String s) {
      this.s = s;
    }

    Map<String, Object> parseDict() {
      skipSpace();
      expect('{');
      Map<String, Object> out = new LinkedHashMap<>();
      while (true) {
        skipSpace();
        if (peek() == '}') {
          i++;
          break;
        }
        Object key = value();
        if (!(key instanceof String)) {
          throw new IllegalArgumentException("dict key is not a string at offset " + i);
        }
        skipSpace();
        expect(':');
        out.put((String) key, value());
        skipSpace();
        if (peek() == ',') {
          i++;
        } else if (peek() != '}') {
          throw new IllegalArgumentException("expected ',' or '}' at offset " + i);
        }
      }
      skipSpace();
      if (i != s.length()) {
        throw new IllegalArgumentException("trailing text at offset " + i);
      }
      return out;
    }

    private Object value() {
      skipSpace();
      char c = peek();
      if (c == '\'' || c == '"') {
        int end = s.indexOf(c, i + 1);
        if (end < 0) {
          throw new IllegalArgumentException("unterminated string at offset " + i);
        }
        String v = s.substring(i + 1, end);
        i = end + 1;
        return v;
      }
      if (c == '(' || c == '[') {
        char close = c == '(' ? ')' : ']';
        i++;
        List<Object> items = new ArrayList<>();
        while (true) {
          skipSpace();
          if (peek() == close) {
            i++;
            return items;
          }
          items.add(value());
          skipSpace();
          if (peek() == ',') {
            i++;
          } else if (peek() != close) {
            throw new IllegalArgumentException("expected ',' or '" + close + "' at offset " + i);
          }
        }
      }
      if (s.startsWith("True", i)) {
        i += 4;
        return Boolean.TRUE;
      }
      if (s.startsWith("False", i)) {
        i += 5;
        return Boolean.FALSE;
      }
      int start = i;
      while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '-')) {
        i++;
      }
      if (start == i) {
        throw new IllegalArgumentException("unexpected '" + c + "' at offset " + i);
      }
      long v = Long.parseLong(s.substring(start, i));
      if (i < s.length() && (s.charAt(i) == 'L' || s.charAt(i) == 'l')) {
        i++; // Python 2 long suffix, still found in old files
      }
      return v;
    }

    private void skipSpace() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }

    private char peek() {
      if (i >= s.length()) {
        throw new IllegalArgumentException("unexpected end of header");
      }
      return s.charAt(i);
    }

    private void expect(char c) {
      if (peek() != c) {
        throw new IllegalArgumentException("expected '" + c + "' at offset " + i);
      }
      i++;
    }
  }
}
