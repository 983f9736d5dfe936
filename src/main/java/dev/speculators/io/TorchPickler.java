package dev.speculators.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import net.razorvine.pickle.IObjectPickler;
import net.razorvine.pickle.Pickler;

/**
 * Writes the {@code data.pkl} of a torch.save archive with pickle protocol 2, in the shape torch's
 * {@code weights_only} loader accepts: each tensor becomes {@code GLOBAL
 * torch._utils._rebuild_tensor_v2} applied to a persistent storage id ({@code BINPERSID}), its
 * offset 0, size, contiguous stride, {@code False} and an empty {@code OrderedDict}.
 *
 * <p>pyrolite's {@link Pickler} expresses all of this: custom picklers (looked up per instance
 * through {@link #getCustomPickler}, so nothing is registered globally) write the GLOBAL/REDUCE
 * opcodes and {@link #persistentId} yields the storage tuple that pyrolite emits with {@code
 * BINPERSID}. Java {@link List}s become Python lists, {@code Object[]} tuples, {@link Map}s dicts
 * in iteration order.
 */
final class TorchPickler extends Pickler {
  /** A tensor's storage, written as {@code data/<key>}. */
  record StorageRef(String key, HostTensor tensor) {}

  private record StorageTypeRef(DType dtype) {}

  private enum EmptyOrderedDict {
    INSTANCE
  }

  private final Map<HostTensor, StorageRef> storageByTensor = new IdentityHashMap<>();
  private final List<StorageRef> storages = new ArrayList<>();

  private final IObjectPickler tensorPickler =
      (obj, out, pickler) -> {
        HostTensor t = (HostTensor) obj;
        StorageRef ref = storageByTensor.computeIfAbsent(t, this::newStorage);
        writeGlobal(out, "torch._utils", "_rebuild_tensor_v2");
        pickler.save(
            new Object[] {
              ref,
              0L,
              boxed(t.shape()),
              boxed(contiguousStride(t.shape())),
              false,
              EmptyOrderedDict.INSTANCE
            });
        out.write('R');
      };

  private final IObjectPickler storageTypePickler =
      (obj, out, pickler) ->
          writeGlobal(out, "torch", ((StorageTypeRef) obj).dtype().torchStorageName());

  private final IObjectPickler orderedDictPickler =
      (obj, out, pickler) -> {
        writeGlobal(out, "collections", "OrderedDict");
        out.write(')'); // EMPTY_TUPLE
        out.write('R'); // REDUCE
      };

  TorchPickler() {
    super(false); // no memo: every value is written in full, which torch reads the same way
  }

  /** The storages referenced so far, in key order. */
  List<StorageRef> storages() {
    return storages;
  }

  @Override
  protected IObjectPickler getCustomPickler(Class<?> t) {
    if (t == HostTensor.class) {
      return tensorPickler;
    }
    if (t == StorageTypeRef.class) {
      return storageTypePickler;
    }
    if (t == EmptyOrderedDict.class) {
      return orderedDictPickler;
    }
    return super.getCustomPickler(t);
  }

  @Override
  protected Object persistentId(Object obj) {
    if (obj instanceof StorageRef) {
      StorageRef ref = (StorageRef) obj;
      HostTensor t = ref.tensor();
      return new Object[] {"storage", new StorageTypeRef(t.dtype()), ref.key(), "cpu", t.numel()};
    }
    return null;
  }

  private StorageRef newStorage(HostTensor t) {
    StorageRef ref = new StorageRef(Integer.toString(storages.size()), t);
    storages.add(ref);
    return ref;
  }

  private static void writeGlobal(OutputStream out, String module, String name) throws IOException {
    out.write('c');
    out.write((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private static Object[] boxed(long[] values) {
    Object[] out = new Object[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  static long[] contiguousStride(long[] shape) {
    long[] stride = new long[shape.length];
    long s = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      stride[d] = s;
      s *= Math.max(shape[d], 1);
    }
    return stride;
  }
}
