package dev.speculators.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An open safetensors file. The header is parsed and validated on open; tensor bytes are
 * memory-mapped one tensor at a time when asked for, so files larger than 2 GiB work (a single
 * tensor larger than 2 GiB can be read in row ranges with {@link #getRows}).
 */
public final class SafeTensorsFile implements Closeable {
  /** Where one tensor lives, relative to the start of the data section. */
  public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
    public long numel() {
      return HostTensor.numelOf(shape);
    }

    @Override
    public long[] shape() {
      return shape.clone();
    }
  }

  private static final long MMAP_THRESHOLD = 64 * 1024;

  private final Path path;
  private final FileChannel channel;
  private final long dataStart;
  private final Map<String, TensorInfo> tensors;
  private final Map<String, String> metadata;
  private volatile boolean closed;

  SafeTensorsFile(
      Path path,
      FileChannel channel,
      long dataStart,
      Map<String, TensorInfo> tensors,
      Map<String, String> metadata) {
    this.path = path;
    this.channel = channel;
    this.dataStart = dataStart;
    this.tensors = tensors;
    this.metadata = metadata;
  }

  public Path path() {
    return path;
  }

  /** Tensor names in header order. */
  public Set<String> names() {
    return Collections.unmodifiableSet(tensors.keySet());
  }

  public boolean has(String name) {
    return tensors.containsKey(name);
  }

  /** dtype, shape and location of a tensor, without reading it. */
  public TensorInfo info(String name) {
    TensorInfo info = tensors.get(name);
    if (info == null) {
      throw new IllegalArgumentException(path + ": no tensor named '" + name + "'");
    }
    return info;
  }

  /** All tensor infos in header order. */
  public List<TensorInfo> infos() {
    return List.copyOf(tensors.values());
  }

  /** The {@code __metadata__} string map (empty when absent). */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * The whole tensor {@code name}: memory-mapped (large) or read onto the heap (small).
   *
   * @throws IllegalArgumentException when there is no such tensor
   */
  public HostTensor get(String name) throws IOException {
    TensorInfo info = info(name);
    return HostTensor.wrapUnchecked(
        info.dtype(), info.shape(), bytes(info, info.begin(), info.end()));
  }

  /** Rows {@code [from, to)} along dimension 0 of tensor {@code name}, reading only those bytes. */
  public HostTensor getRows(String name, long from, long to) throws IOException {
    TensorInfo info = info(name);
    long[] shape = info.shape();
    if (shape.length == 0 || from < 0 || to < from || to > shape[0]) {
      throw new IndexOutOfBoundsException(
          path
              + ": rows ["
              + from
              + ", "
              + to
              + ") of '"
              + name
              + "' with shape "
              + Arrays.toString(shape));
    }
    long rowBytes = shape[0] == 0 ? 0 : (info.end() - info.begin()) / shape[0];
    shape[0] = to - from;
    return HostTensor.wrapUnchecked(
        info.dtype(),
        shape,
        bytes(info, info.begin() + from * rowBytes, info.begin() + to * rowBytes));
  }

  /** Every tensor, in header order (all mapped or read). */
  public Map<String, HostTensor> getAll() throws IOException {
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (String name : tensors.keySet()) {
      out.put(name, get(name));
    }
    return out;
  }

  private ByteBuffer bytes(TensorInfo info, long begin, long end) throws IOException {
    if (closed) {
      throw new IllegalStateException(path + " is closed");
    }
    long length = end - begin;
    if (length > Integer.MAX_VALUE - 8) {
      throw new IOException(
          path
              + ": tensor '"
              + info.name()
              + "' has "
              + length
              + " bytes, more than one host buffer holds (2 GiB); read it with getRows");
    }
    long position = dataStart + begin;
    if (length >= MMAP_THRESHOLD) {
      return channel
          .map(FileChannel.MapMode.READ_ONLY, position, length)
          .order(ByteOrder.LITTLE_ENDIAN);
    }
    ByteBuffer b = ByteBuffer.allocate((int) length).order(ByteOrder.LITTLE_ENDIAN);
    while (b.hasRemaining()) {
      if (channel.read(b, position + b.position()) < 0) {
        throw new TensorFileException(path, "tensor '" + info.name() + "' is truncated");
      }
    }
    return b.flip();
  }

  /** Closes the file. Tensors already returned stay readable (mappings outlive the channel). */
  @Override
  public void close() throws IOException {
    closed = true;
    channel.close();
  }
}
