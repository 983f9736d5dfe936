package dev.speculators.io;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.razorvine.pickle.PickleException;

/**
 * Reads and writes {@code torch.save} files (the zip format of torch 1.6 and later) without Python.
 *
 * <p>{@link #load} returns plain Java values: {@link Map} (a {@link LinkedHashMap}, keys in file
 * order), {@link List} (for Python lists and tuples), {@link HostTensor}, {@link Long}, {@link
 * Double}, {@link String}, {@link Boolean}, {@code byte[]}, {@link DType} (for {@code
 * torch.float32} and friends) and {@code null}. Storages of uncompressed entries are memory-mapped;
 * tensors that are contiguous views of them share those bytes, other views (transposes, step
 * slices) are gathered into contiguous copies.
 *
 * <p>{@link #save} writes what {@code torch.load(path, weights_only=True)} reads.
 */
public final class TorchFiles {
  private TorchFiles() {}

  /**
   * Reads a torch.save file.
   *
   * @throws TensorFileException when the file is not a torch zip archive, is truncated or corrupt,
   *     or holds objects other than tensors and plain containers and values
   */
  public static Object load(Path path) throws IOException {
    try (TorchArchiveReader archive = TorchArchiveReader.open(path)) {
      byte[] pickle = archive.pickle();
      TorchUnpickler unpickler = new TorchUnpickler(archive::storage);
      Object raw;
      try {
        raw = unpickler.load(new ByteArrayInputStream(pickle));
      } catch (UncheckedIOException e) {
        throw e.getCause() instanceof TensorFileException
            ? (TensorFileException) e.getCause()
            : new TensorFileException(path, e.getCause().getMessage(), e.getCause());
      } catch (PickleException | IOException e) {
        throw new TensorFileException(path, "cannot read data.pkl: " + e.getMessage(), e);
      } catch (RuntimeException e) {
        // pyrolite reports malformed opcode sequences with plain runtime exceptions (empty
        // stack, wrong operand types); all of them mean a corrupt or foreign pickle
        throw new TensorFileException(path, "corrupt data.pkl (" + e + ")", e);
      }
      try {
        return normalize(raw, new IdentityHashMap<>());
      } catch (IllegalArgumentException e) {
        throw new TensorFileException(path, e.getMessage(), e);
      }
    } catch (RuntimeException e) {
      throw new TensorFileException(path, "corrupt torch.save archive (" + e + ")", e);
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
    String archiveName = TorchArchiveWriter.archiveName(path);
    AtomicFiles.writeVia(
        path,
        tmp -> {
          try (TorchArchiveWriter archive = new TorchArchiveWriter(tmp, archiveName)) {
            archive.writeHeader(pickle);
            for (TorchPickler.StorageRef ref : pickler.storages()) {
              archive.writeStorage(ref.key(), ref.tensor().data());
            }
            archive.writeTrailer();
          }
        });
  }

  // ---------------------------------------------------------------------------- values

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
              where
                  + " has a key of unsupported type "
                  + (k == null ? "null" : k.getClass().getName())
                  + " (String or integer keys only)");
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
          where
              + " has unsupported type "
              + o.getClass().getName()
              + " (tensors, maps, lists, arrays, numbers, strings, booleans and null only)");
    }
    seen.remove(o);
  }
}
