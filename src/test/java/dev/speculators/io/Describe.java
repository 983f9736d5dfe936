package dev.speculators.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Describes loaded values exactly like {@code src/test/python/io_describe.py} does, so a Java read
 * can be compared with what torch, numpy and safetensors read from the same file.
 */
public final class Describe {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final int HEAD = 8;

  private Describe() {}

  /** The description as a JSON tree (round-tripped through text, like the Python side). */
  public static JsonNode of(Object value) {
    return toTree(describe(value));
  }

  /** The description of a safetensors file as read by our reader. */
  public static JsonNode ofSafetensors(Path path) throws IOException {
    Map<String, Object> tensors = new LinkedHashMap<>();
    Map<String, String> metadata;
    try (SafeTensorsFile f = SafeTensors.open(path)) {
      for (String name : f.names()) {
        tensors.put(name, tensor(f.get(name)));
      }
      metadata = f.metadata();
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("tensors", tensors);
    out.put("metadata", metadata);
    return toTree(out);
  }

  public static JsonNode ofTensor(HostTensor t) {
    return toTree(tensor(t));
  }

  static JsonNode toTree(Object o) {
    try {
      return JSON.readTree(JSON.writeValueAsString(o));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Object describe(Object o) {
    if (o instanceof HostTensor) {
      return tensor((HostTensor) o);
    }
    if (o instanceof Map) {
      List<Object> pairs = new ArrayList<>();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) {
        pairs.add(List.of(describe(e.getKey()), describe(e.getValue())));
      }
      return Map.of("dict", pairs);
    }
    if (o instanceof List) {
      List<Object> items = new ArrayList<>();
      for (Object v : (List<?>) o) {
        items.add(describe(v));
      }
      return Map.of("list", items);
    }
    if (o instanceof Boolean) {
      return Map.of("bool", o);
    }
    if (o instanceof Long || o instanceof java.math.BigInteger) {
      return Map.of("int", o);
    }
    if (o instanceof Double) {
      return Map.of("float", number((Double) o));
    }
    if (o instanceof String) {
      return Map.of("str", o);
    }
    if (o instanceof byte[]) {
      return Map.of("bytes", HexFormat.of().formatHex((byte[]) o));
    }
    if (o == null) {
      return Map.of("none", true);
    }
    if (o instanceof DType) {
      return Map.of("dtype", ((DType) o).safetensorsName());
    }
    throw new IllegalArgumentException("cannot describe " + o.getClass());
  }

  private static Map<String, Object> tensor(HostTensor t) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("dtype", t.dtype().safetensorsName());
    d.put("shape", t.shape());
    d.put("sha256", sha256(t.data()));
    List<Object> head = new ArrayList<>();
    int n = (int) Math.min(HEAD, t.numel());
    for (int i = 0; i < n; i++) {
      if (t.dtype() == DType.F64) {
        head.add(number(t.data().getDouble(i * 8)));
      } else if (t.dtype().isFloatingPoint()) {
        head.add(number((double) t.floatAt(i)));
      } else if (t.dtype() == DType.BOOL) {
        head.add(t.longAt(i) != 0);
      } else {
        head.add(t.longAt(i));
      }
    }
    d.put("head", head);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("tensor", d);
    return out;
  }

  private static Object number(double v) {
    if (Double.isNaN(v)) {
      return "nan";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    return v;
  }

  static String sha256(ByteBuffer data) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(data.duplicate());
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
