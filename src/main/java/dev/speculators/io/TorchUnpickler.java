package dev.speculators.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.Unpickler;

/**
 * Reads the {@code data.pkl} of a torch.save archive. Like torch's {@code weights_only} loader it
 * resolves only an allow-list of globals (tensor rebuild functions, storage types, {@code
 * OrderedDict}, {@code torch.Size}, dtypes); anything else is an error instead of arbitrary
 * objects. Globals are resolved per instance, not through pyrolite's static registry, so several
 * files can be read concurrently. Dicts keep their insertion order.
 */
final class TorchUnpickler extends Unpickler {
  /** Protocol 4/5 opcodes, absent from pyrolite's {@link Opcodes}. */
  private static final short STACK_GLOBAL = 0x93;

  private static final short LONG4 = 0x8b;
  private static final short BINUNICODE8 = 0x8d;
  private static final short BINBYTES8 = 0x8e;
  private static final short BYTEARRAY8 = 0x96;

  /** Supplies the bytes of {@code data/<key>} for a persistent storage id. */
  interface StorageSource {
    Storage storage(String key, DType dtype, long numel) throws IOException;
  }

  /** One storage: a flat array of {@code numel} elements of {@code dtype}. */
  record Storage(String key, DType dtype, long numel, ByteBuffer bytes) {}

  /** What {@code GLOBAL torch <X>Storage} pushes. */
  record StorageType(DType dtype) {}

  /** What {@code GLOBAL torch.nn.parameter Parameter} and similar class references push. */
  record PythonClass(String qualifiedName) {}

  private final StorageSource storages;
  private final Map<String, Storage> loaded = new LinkedHashMap<>();

  TorchUnpickler(StorageSource storages) {
    this.storages = storages;
  }

  @Override
  protected Object dispatch(short key) throws PickleException, IOException {
    switch (key) {
      case Opcodes.GLOBAL:
        {
          String module = readLine();
          String name = readLine();
          stack.add(resolveGlobal(module, name));
          return NO_RETURN_VALUE;
        }
      case STACK_GLOBAL:
        {
          Object name = stack.pop();
          Object module = stack.pop();
          if (!(name instanceof String) || !(module instanceof String)) {
            throw new PickleException("STACK_GLOBAL needs two strings");
          }
          stack.add(resolveGlobal((String) module, (String) name));
          return NO_RETURN_VALUE;
        }
      case Opcodes.EMPTY_DICT:
        stack.add(new LinkedHashMap<>());
        return NO_RETURN_VALUE;
      case Opcodes.DICT:
        {
          List<Object> items = stack.pop_all_since_marker();
          if (items.size() % 2 != 0) {
            throw new PickleException("DICT with an odd number of items");
          }
          Map<Object, Object> map = new LinkedHashMap<>();
          for (int i = 0; i < items.size(); i += 2) {
            map.put(items.get(i), items.get(i + 1));
          }
          stack.add(map);
          return NO_RETURN_VALUE;
        }
      case Opcodes.SETITEMS:
        {
          // pyrolite collects the items in a HashMap first, which loses their order
          List<Object> items = stack.pop_all_since_marker();
          Object target = stack.peek();
          if (!(target instanceof Map) || items.size() % 2 != 0) {
            throw new PickleException("SETITEMS needs a dict and key/value pairs");
          }
          @SuppressWarnings("unchecked")
          Map<Object, Object> map = (Map<Object, Object>) target;
          for (int i = 0; i < items.size(); i += 2) {
            map.put(items.get(i), items.get(i + 1));
          }
          return NO_RETURN_VALUE;
        }
      case Opcodes.BUILD:
        {
          // torch emits BUILD only for Python-level object state (e.g. attributes set on an
          // OrderedDict); tensors and containers keep their contents, the state is dropped.
          Object state = stack.pop();
          Object target = stack.peek();
          if (!(target instanceof Map || target instanceof List || target instanceof HostTensor)) {
            throw new PickleException(
                "cannot apply state " + describe(state) + " to " + describe(target));
          }
          return NO_RETURN_VALUE;
        }
      case Opcodes.BINSTRING:
      case Opcodes.BINUNICODE:
      case Opcodes.BINBYTES:
      case LONG4:
        checkLength(4);
        return super.dispatch(key);
      case BINUNICODE8:
      case BINBYTES8:
      case BYTEARRAY8:
        checkLength(8);
        return super.dispatch(key);
      case Opcodes.INST:
      case Opcodes.OBJ:
        throw new PickleException("arbitrary Python objects (INST/OBJ) are not supported");
      default:
        return super.dispatch(key);
    }
  }

  @Override
  protected Object persistentLoad(Object pid) {
    if (!(pid instanceof Object[]) || ((Object[]) pid).length < 5) {
      throw new PickleException("unsupported persistent id " + describe(pid));
    }
    Object[] t = (Object[]) pid;
    if (!"storage".equals(t[0]) || !(t[1] instanceof StorageType) || !(t[2] instanceof String)) {
      throw new PickleException("unsupported persistent id " + describe(pid));
    }
    DType dtype = ((StorageType) t[1]).dtype();
    String key = (String) t[2];
    long numel = toLong(t[4], "storage numel");
    Storage cached = loaded.get(key);
    if (cached != null) {
      if (cached.dtype() != dtype) {
        throw new PickleException(
            "storage data/" + key + " is used as " + cached.dtype() + " and as " + dtype);
      }
      return cached;
    }
    try {
      Storage s = storages.storage(key, dtype, numel);
      loaded.put(key, s);
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Object resolveGlobal(String module, String name) {
    String qualified = module + "." + name;
    switch (qualified) {
      case "torch._utils._rebuild_tensor_v2":
      case "torch._utils._rebuild_tensor":
        return (IObjectConstructor) TorchUnpickler::rebuildTensor;
      case "torch._utils._rebuild_parameter":
      case "torch._utils._rebuild_parameter_with_state":
        return (IObjectConstructor) args -> expectTensor(args, 0, qualified);
      case "torch._tensor._rebuild_from_type_v2":
        return (IObjectConstructor) TorchUnpickler::rebuildFromType;
      case "torch.nn.parameter.Parameter":
      case "torch._tensor.Tensor":
      case "torch.Tensor":
        return new PythonClass(qualified);
      case "collections.OrderedDict":
        return (IObjectConstructor) TorchUnpickler::orderedDict;
      case "torch.Size":
        return (IObjectConstructor)
            args ->
                args.length == 0
                    ? new ArrayList<>()
                    : new ArrayList<>(asList(args[0], "torch.Size"));
      case "torch.device":
        return (IObjectConstructor) TorchUnpickler::device;
      case "_codecs.encode":
        return (IObjectConstructor)
            args -> ((String) args[0]).getBytes(StandardCharsets.ISO_8859_1);
      default:
        break;
    }
    if ("torch".equals(module)) {
      if (name.endsWith("Storage")) {
        try {
          return new StorageType(DType.fromTorchStorage(name));
        } catch (IllegalArgumentException e) {
          throw new PickleException("unsupported storage type torch." + name);
        }
      }
      try {
        return DType.fromTorchName(name);
      } catch (IllegalArgumentException e) {
        // fall through to the generic error
      }
    }
    throw new PickleException(
        "unsupported Python global "
            + qualified
            + " (only tensors, dicts, lists, tuples and plain values can be read)");
  }

  private static Object rebuildTensor(Object[] args) {
    if (args.length < 4 || !(args[0] instanceof Storage)) {
      throw new PickleException("malformed _rebuild_tensor arguments");
    }
    Storage s = (Storage) args[0];
    long offset = toLong(args[1], "storage_offset");
    long[] size = toLongs(args[2], "size");
    long[] stride = toLongs(args[3], "stride");
    try {
      return StridedGather.view(s.dtype(), s.bytes(), s.numel(), offset, size, stride);
    } catch (IllegalArgumentException e) {
      throw new PickleException("tensor in storage data/" + s.key() + ": " + e.getMessage());
    }
  }

  private static Object rebuildFromType(Object[] args) {
    if (args.length < 3 || !(args[0] instanceof IObjectConstructor)) {
      throw new PickleException("malformed _rebuild_from_type_v2 arguments");
    }
    Object[] inner = asList(args[2], "_rebuild_from_type_v2 args").toArray();
    Object result = ((IObjectConstructor) args[0]).construct(inner);
    if (!(result instanceof HostTensor)) {
      throw new PickleException("_rebuild_from_type_v2 did not produce a tensor");
    }
    return result;
  }

  private static Object orderedDict(Object[] args) {
    Map<Object, Object> map = new LinkedHashMap<>();
    if (args.length > 0 && args[0] != null) {
      for (Object item : asList(args[0], "OrderedDict items")) {
        List<Object> pair = asList(item, "OrderedDict item");
        if (pair.size() != 2) {
          throw new PickleException("OrderedDict item is not a pair");
        }
        map.put(pair.get(0), pair.get(1));
      }
    }
    return map;
  }

  private static Object device(Object[] args) {
    if (args.length == 0 || !(args[0] instanceof String)) {
      throw new PickleException("malformed torch.device arguments");
    }
    return args.length > 1 && args[1] != null ? args[0] + ":" + args[1] : args[0];
  }

  private static HostTensor expectTensor(Object[] args, int i, String what) {
    if (args.length <= i || !(args[i] instanceof HostTensor)) {
      throw new PickleException("malformed " + what + " arguments");
    }
    return (HostTensor) args[i];
  }

  @SuppressWarnings("unchecked")
  private static List<Object> asList(Object o, String what) {
    if (o instanceof Object[]) {
      return new ArrayList<>(Arrays.asList((Object[]) o));
    }
    if (o instanceof List) {
      return (List<Object>) o;
    }
    throw new PickleException(what + " is not a tuple or list but " + describe(o));
  }

  private static long[] toLongs(Object o, String what) {
    List<Object> list = asList(o, what);
    long[] out = new long[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = toLong(list.get(i), what);
    }
    return out;
  }

  private static long toLong(Object o, String what) {
    if (o instanceof Integer || o instanceof Long || o instanceof Short || o instanceof Byte) {
      return ((Number) o).longValue();
    }
    throw new PickleException(what + " is not an integer but " + describe(o));
  }

  static String describe(Object o) {
    return o == null ? "None" : o.getClass().getSimpleName();
  }

  /**
   * Rejects a length prefix larger than what is left of the pickle before pyrolite allocates an
   * array of that size (a corrupt length would otherwise cost gigabytes or a negative size).
   */
  private void checkLength(int prefixBytes) throws IOException {
    if (!input.markSupported()) {
      return;
    }
    input.mark(prefixBytes);
    byte[] b = input.readNBytes(prefixBytes);
    int available = input.available();
    input.reset();
    if (b.length < prefixBytes) {
      throw new IOException("pickle ends inside a length prefix");
    }
    long length = 0;
    for (int i = prefixBytes - 1; i >= 0; i--) {
      length = (length << 8) | (b[i] & 0xFF);
    }
    if (length < 0 || length > available) {
      throw new PickleException(
          "corrupt length " + length + " with only " + available + " bytes of pickle left");
    }
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      int b = input.read();
      if (b < 0) {
        throw new IOException("pickle ends in the middle of a GLOBAL opcode");
      }
      if (b == '\n') {
        return line.toString(StandardCharsets.UTF_8);
      }
      line.write(b);
    }
  }
}
