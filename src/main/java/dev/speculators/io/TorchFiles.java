package dev.speculators.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import net.razorvine.pickle.PickleException;
import org.apache.commons.compress.archivers.zip.Zip64Mode;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * Reads and writes {@code torch.save} files (the zip format of torch 1.6 and later) without
 * Python.
 *
 * <p>{@link #load} returns plain Java values: {@link Map} (a {@link LinkedHashMap}, keys in file
 * order), {@link List} (for Python lists and tuples), {@link HostTensor}, {@link Long}, {@link
 * Double}, {@link String}, {@link Boolean}, {@code byte[]}, {@link DType} (for {@code torch.float32}
 * and friends) and {@code null}. Storages of uncompressed entries are memory-mapped; tensors that
 * are contiguous views of them share those bytes, other views (transposes, step slices) are
 * gathered into contiguous copies.
 *
 * <p>{@link #save} writes what {@code torch.load(path, weights_only=True)} reads.
 */
public final class TorchFiles {
  /** Storages smaller than this are read onto the heap; mapping them costs more than copying. */
  private static final long MMAP_THRESHOLD = 64 * 1024;

  private static final int ALIGNMENT = 64;
  private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

  private TorchFiles() {}

  /**
   * Reads a torch.save file.
   *
   * @throws TensorFileException when the file is not a torch zip archive, is truncated or
   *     corrupt, or holds objects other than tensors and plain containers and values
   */
  public static Object load(Path path) throws IOException {
    checkZipMagic(path);
    ZipFile zip;
    try {
      zip = ZipFile.builder().setPath(path).get();
    } catch (NoSuchFileException e) {
      throw e;
    } catch (IOException e) {
      throw new TensorFileException(
          path, "not a readable zip archive (truncated or corrupt?): " + e.getMessage(), e);
    }
    try (zip;
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      String prefix = archivePrefix(zip, path);
      checkByteOrder(zip, prefix, path);
      byte[] pickle = readEntry(zip, zip.getEntry(prefix + "data.pkl"), path);
      long fileSize = channel.size();
      TorchUnpickler unpickler =
          new TorchUnpickler(
              (key, dtype, numel) -> storage(zip, channel, fileSize, prefix, path, key, dtype, numel));
      Object raw;
      try {
        raw = unpickler.loads(pickle);
      } catch (UncheckedIOException e) {
        throw e.getCause() instanceof TensorFileException
            ? (TensorFileException) e.getCause()
            : new TensorFileException(path, e.getCause().getMessage(), e.getCause());
      } catch (PickleException | IOException | ClassCastException | IllegalStateException e) {
        throw new TensorFileException(path, "cannot read data.pkl: " + e.getMessage(), e);
      }
      try {
        return normalize(raw, new IdentityHashMap<>());
      } catch (IllegalArgumentException e) {
        throw new TensorFileException(path, e.getMessage(), e);
      }
    }
  }

  /**
   * Writes {@code value} as a torch.save archive, atomically. Accepted values: {@link Map} with
   * String or integer keys, {@link List} (a Python list), {@code Object[]} (a tuple), {@link
   * HostTensor}, integers, floats, strings, booleans and {@code null}, nested freely. Each tensor
   * gets its own contiguous storage; the archive name inside the zip is the file name without
   * {@code .pt}, as torch does.
   *
   * @throws IllegalArgumentException naming the position of a value of another type
   */
  public static void save(Path path, Object value) throws IOException {
    validateWritable(value, "value", new IdentityHashMap<>());
    TorchPickler pickler = new TorchPickler();
    byte[] pickle;
    try {
      pickle = pickler.dumps(value);
    } catch (PickleException e) {
      throw new IllegalArgumentException("cannot pickle value: " + e.getMessage(), e);
    }
    String prefix = archiveName(path) + "/";
    AtomicFiles.writeVia(
        path,
        tmp -> {
          try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(tmp)) {
            zip.setUseZip64(Zip64Mode.AsNeeded);
            CRC32 combined = new CRC32();
            writeRecord(zip, prefix + "data.pkl", pickle, combined);
            writeRecord(zip, prefix + ".format_version", ascii("1"), combined);
            writeRecord(zip, prefix + ".storage_alignment", ascii(Integer.toString(ALIGNMENT)), combined);
            writeRecord(zip, prefix + "byteorder", ascii("little"), combined);
            long total = pickle.length;
            for (TorchPickler.StorageRef ref : pickler.storages()) {
              ByteBuffer data = ref.tensor().data();
              total += data.remaining();
              writeRecord(zip, prefix + "data/" + ref.key(), data, combined);
            }
            writeRecord(zip, prefix + "version", ascii("3\n"), combined);
            // torch writes 40 digits: a checksum of the records and a number unique to the save;
            // content-derived digits keep our output reproducible byte for byte.
            String id = String.format("%020d%020d", combined.getValue(), total);
            writeRecord(zip, prefix + ".data/serialization_id", ascii(id), combined);
          }
        });
  }

  // ---------------------------------------------------------------------------- reading

  private static void checkZipMagic(Path path) throws IOException {
    byte[] head = new byte[4];
    try (InputStream in = Files.newInputStream(path)) {
      int n = in.readNBytes(head, 0, 4);
      if (n < 4 || head[0] != ZIP_MAGIC[0] || head[1] != ZIP_MAGIC[1] || head[2] != ZIP_MAGIC[2]
          || head[3] != ZIP_MAGIC[3]) {
        throw new TensorFileException(
            path,
            n < 4
                ? "file is empty or too short to be a torch.save archive"
                : "not a torch.save zip archive (files written by torch older than 1.6 or with"
                    + " _use_new_zipfile_serialization=False are not supported)");
      }
    }
  }

  /** The {@code <name>/} every entry starts with: the folder that holds {@code data.pkl}. */
  private static String archivePrefix(ZipFile zip, Path path) throws TensorFileException {
    String found = null;
    for (ZipArchiveEntry e : (Iterable<ZipArchiveEntry>) zip.getEntries()::asIterator) {
      String name = e.getName();
      if (name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length()) {
        if (found != null) {
          throw new TensorFileException(path, "more than one data.pkl in the archive");
        }
        found = name.substring(0, name.length() - "data.pkl".length());
      }
    }
    if (found == null) {
      throw new TensorFileException(path, "zip archive has no <name>/data.pkl: not a torch.save file");
    }
    return found;
  }

  private static void checkByteOrder(ZipFile zip, String prefix, Path path) throws IOException {
    ZipArchiveEntry entry = zip.getEntry(prefix + "byteorder");
    if (entry == null) {
      return; // writers before torch 2.1 omit it; they only ran little-endian
    }
    String order = new String(readEntry(zip, entry, path), StandardCharsets.US_ASCII).trim();
    if (!"little".equals(order)) {
      throw new TensorFileException(
          path, "byteorder is '" + order + "'; only little-endian torch files are supported");
    }
  }

  private static byte[] readEntry(ZipFile zip, ZipArchiveEntry entry, Path path) throws IOException {
    if (entry.getSize() > Integer.MAX_VALUE - 8) {
      throw new TensorFileException(path, entry.getName() + " is larger than 2 GiB");
    }
    try (InputStream in = zip.getInputStream(entry)) {
      byte[] data = in.readAllBytes();
      if (entry.getSize() >= 0 && data.length != entry.getSize()) {
        throw new TensorFileException(
            path, entry.getName() + " is truncated: " + data.length + " of " + entry.getSize() + " bytes");
      }
      return data;
    } catch (TensorFileException e) {
      throw e;
    } catch (IOException e) {
      throw new TensorFileException(path, "cannot read " + entry.getName() + ": " + e.getMessage(), e);
    }
  }

  private static TorchUnpickler.Storage storage(
      ZipFile zip,
      FileChannel channel,
      long fileSize,
      String prefix,
      Path path,
      String key,
      DType dtype,
      long numel)
      throws IOException {
    String name = prefix + "data/" + key;
    ZipArchiveEntry entry = zip.getEntry(name);
    if (entry == null) {
      throw new TensorFileException(path, "storage " + name + " referenced by data.pkl is missing");
    }
    long needed = numel * dtype.byteSize();
    long size = entry.getSize();
    if (size < needed) {
      throw new TensorFileException(
          path,
          "storage " + name + " has " + size + " bytes, data.pkl declares " + numel + " " + dtype
              + " elements (" + needed + " bytes)");
    }
    ByteBuffer bytes;
    if (entry.getMethod() == ZipArchiveEntry.STORED && entry.getDataOffset() > 0) {
      long offset = entry.getDataOffset();
      if (offset + needed > fileSize) {
        throw new TensorFileException(
            path, "storage " + name + " ends at byte " + (offset + needed) + " but the file has "
                + fileSize + " bytes (truncated)");
      }
      if (needed > Integer.MAX_VALUE - 8) {
        throw new TensorFileException(path, "storage " + name + " is larger than 2 GiB");
      }
      if (needed >= MMAP_THRESHOLD) {
        bytes = channel.map(FileChannel.MapMode.READ_ONLY, offset, needed);
      } else {
        bytes = ByteBuffer.allocate((int) needed);
        while (bytes.hasRemaining()) {
          if (channel.read(bytes, offset + bytes.position()) < 0) {
            throw new TensorFileException(path, "storage " + name + " is truncated");
          }
        }
        bytes.flip();
      }
    } else {
      bytes = ByteBuffer.wrap(readEntry(zip, entry, path), 0, (int) needed).slice();
    }
    return new TorchUnpickler.Storage(key, dtype, numel, bytes.order(ByteOrder.LITTLE_ENDIAN));
  }

  /** Python values as Java values: ints as Long, tuples as List, dict order kept. */
  private static Object normalize(Object o, Map<Object, Object> seen) {
    if (o == null
        || o instanceof String
        || o instanceof Boolean
        || o instanceof Long
        || o instanceof Double
        || o instanceof HostTensor
        || o instanceof DType
        || o instanceof byte[]) {
      return o;
    }
    if (o instanceof Integer || o instanceof Short || o instanceof Byte) {
      return ((Number) o).longValue();
    }
    if (o instanceof Float) {
      return ((Float) o).doubleValue();
    }
    if (o instanceof BigInteger) {
      BigInteger b = (BigInteger) o;
      return b.bitLength() < 64 ? (Object) b.longValue() : b;
    }
    Object done = seen.get(o);
    if (done != null) {
      return done;
    }
    if (o instanceof Map) {
      Map<Object, Object> out = new LinkedHashMap<>();
      seen.put(o, out);
      for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) {
        out.put(normalize(e.getKey(), seen), normalize(e.getValue(), seen));
      }
      return out;
    }
    if (o instanceof Object[] || o instanceof List) {
      List<Object> out = new ArrayList<>();
      seen.put(o, out);
      Iterable<?> items = o instanceof List ? (List<?>) o : Arrays.asList((Object[]) o);
      for (Object item : items) {
        out.add(normalize(item, seen));
      }
      return out;
    }
    if (o instanceof Set) {
      Set<Object> out = new LinkedHashSet<>();
      seen.put(o, out);
      for (Object item : (Set<?>) o) {
        out.add(normalize(item, seen));
      }
      return out;
    }
    throw new IllegalArgumentException(
        "data.pkl holds an unsupported value of type " + o.getClass().getName());
  }

  // ---------------------------------------------------------------------------- writing

  private static void validateWritable(Object o, String where, Map<Object, Boolean> seen) {
    if (o == null
        || o instanceof String
        || o instanceof Boolean
        || o instanceof Long
        || o instanceof Integer
        || o instanceof Short
        || o instanceof Byte
        || o instanceof Double
        || o instanceof Float
        || o instanceof HostTensor) {
      return;
    }
    if (seen.put(o, Boolean.TRUE) != null) {
      throw new IllegalArgumentException(where + " contains itself");
    }
    if (o instanceof Map) {
      for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) {
        Object k = e.getKey();
        if (!(k instanceof String || k instanceof Long || k instanceof Integer)) {
          throw new IllegalArgumentException(
              where + " has a key of unsupported type "
                  + (k == null ? "null" : k.getClass().getName()) + " (String or integer keys only)");
        }
        String sub = where + "[" + (k instanceof String ? "'" + k + "'" : k) + "]";
        validateWritable(e.getValue(), sub, seen);
      }
    } else if (o instanceof Collection && !(o instanceof Set)) {
      int i = 0;
      for (Object item : (Collection<?>) o) {
        validateWritable(item, where + "[" + i++ + "]", seen);
      }
    } else if (o instanceof Object[]) {
      Object[] a = (Object[]) o;
      for (int i = 0; i < a.length; i++) {
        validateWritable(a[i], where + "[" + i + "]", seen);
      }
    } else {
      throw new IllegalArgumentException(
          where + " has unsupported type " + o.getClass().getName()
              + " (tensors, maps, lists, arrays, numbers, strings, booleans and null only)");
    }
    seen.remove(o);
  }

  private static String archiveName(Path path) {
    String name = path.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String stem = dot > 0 ? name.substring(0, dot) : name;
    return stem.isEmpty() ? "archive" : stem;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static void writeRecord(ZipArchiveOutputStream zip, String name, byte[] data, CRC32 combined)
      throws IOException {
    writeRecord(zip, name, ByteBuffer.wrap(data), combined);
  }

  private static void writeRecord(
      ZipArchiveOutputStream zip, String name, ByteBuffer data, CRC32 combined) throws IOException {
    ZipArchiveEntry entry = new ZipArchiveEntry(name);
    entry.setMethod(ZipArchiveEntry.STORED);
    entry.setAlignment(ALIGNMENT);
    entry.setSize(data.remaining());
    entry.setTime(DOS_EPOCH);
    CRC32 crc = new CRC32();
    crc.update(data.duplicate());
    entry.setCrc(crc.getValue());
    combined.update(ByteBuffer.allocate(8).putLong(0, crc.getValue()));
    zip.putArchiveEntry(entry);
    byte[] chunk = new byte[(int) Math.min(1 << 20, Math.max(1, data.remaining()))];
    ByteBuffer src = data.duplicate();
    while (src.hasRemaining()) {
      int n = Math.min(chunk.length, src.remaining());
      src.get(chunk, 0, n);
      zip.write(chunk, 0, n);
    }
    zip.closeArchiveEntry();
  }

  /** 1980-01-01 00:00 local time, the earliest zip time stamp: output does not depend on the clock. */
  private static final long DOS_EPOCH =
      java.time.LocalDateTime.of(1980, 1, 1, 0, 0)
          .atZone(java.time.ZoneId.systemDefault())
          .toInstant()
          .toEpochMilli();
}
