package dev.speculators.io;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * The zip side of a torch.save file: finds {@code <name>/data.pkl}, checks the byte order and hands
 * out storages {@code <name>/data/<key>}, memory-mapping the large uncompressed ones.
 */
final class TorchArchiveReader implements Closeable {
  /** Storages smaller than this are read onto the heap; mapping them costs more than copying. */
  private static final long MMAP_THRESHOLD = 64 * 1024;

  private final Path path;
  private final ZipFile zip;
  private final FileChannel channel;
  private final long fileSize;
  private final String prefix;

  private TorchArchiveReader(Path path, ZipFile zip, FileChannel channel) throws IOException {
    this.path = path;
    this.zip = zip;
    this.channel = channel;
    this.fileSize = channel.size();
    this.prefix = archivePrefix();
  }

  /**
   * Opens the archive and validates its frame (magic, zip directory, {@code data.pkl}, byte order).
   */
  static TorchArchiveReader open(Path path) throws IOException {
    checkZipMagic(path);
    ZipFile zip;
    try {
      zip = ZipFile.builder().setPath(path).get();
    } catch (NoSuchFileException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new TensorFileException(
          path, "not a readable zip archive (truncated or corrupt?): " + e.getMessage(), e);
    }
    FileChannel channel = null;
    try {
      channel = FileChannel.open(path, StandardOpenOption.READ);
      TorchArchiveReader reader = new TorchArchiveReader(path, zip, channel);
      reader.checkByteOrder();
      return reader;
    } catch (IOException | RuntimeException e) {
      zip.close();
      if (channel != null) {
        channel.close();
      }
      throw e;
    }
  }

  /** The bytes of {@code data.pkl}. */
  byte[] pickle() throws IOException {
    return readEntry(zip.getEntry(prefix + "data.pkl"));
  }

  /** The storage {@code data/<key>} holding {@code numel} elements of {@code dtype}. */
  TorchUnpickler.Storage storage(String key, DType dtype, long numel) throws IOException {
    String name = prefix + "data/" + key;
    ZipArchiveEntry entry = zip.getEntry(name);
    if (entry == null) {
      throw new TensorFileException(path, "storage " + name + " referenced by data.pkl is missing");
    }
    long needed = numel * dtype.byteSize();
    long size = entry.getSize();
    if (numel < 0 || size < needed) {
      throw new TensorFileException(
          path,
          "storage "
              + name
              + " has "
              + size
              + " bytes, data.pkl declares "
              + numel
              + " "
              + dtype
              + " elements ("
              + needed
              + " bytes)");
    }
    if (needed > Integer.MAX_VALUE - 8) {
      throw new TensorFileException(path, "storage " + name + " is larger than 2 GiB");
    }
    ByteBuffer bytes;
    if (entry.getMethod() == ZipArchiveEntry.STORED && entry.getDataOffset() > 0) {
      long offset = entry.getDataOffset();
      if (offset + needed > fileSize) {
        throw new TensorFileException(
            path,
            "storage "
                + name
                + " ends at byte "
                + (offset + needed)
                + " but the file has "
                + fileSize
                + " bytes (truncated)");
      }
      bytes =
          needed >= MMAP_THRESHOLD
              ? channel.map(FileChannel.MapMode.READ_ONLY, offset, needed)
              : readAt(offset, (int) needed, name);
    } else {
      bytes = ByteBuffer.wrap(readEntry(entry), 0, (int) needed).slice();
    }
    return new TorchUnpickler.Storage(key, dtype, numel, bytes.order(ByteOrder.LITTLE_ENDIAN));
  }

  /** Closes the file; mapped storages stay valid. */
  @Override
  public void close() throws IOException {
    try (zip) {
      channel.close();
    }
  }

  private static void checkZipMagic(Path path) throws IOException {
    byte[] head = new byte[4];
    int n;
    try (InputStream in = Files.newInputStream(path)) {
      n = in.readNBytes(head, 0, 4);
    }
    if (n < 4) {
      throw new TensorFileException(path, "file is empty or too short to be a torch.save archive");
    }
    if (head[0] != 'P' || head[1] != 'K' || head[2] != 3 || head[3] != 4) {
      throw new TensorFileException(
          path,
          "not a torch.save zip archive (files written by torch older than 1.6 or with"
              + " _use_new_zipfile_serialization=False are not supported)");
    }
  }

  /** The {@code <name>/} every entry starts with: the folder that holds {@code data.pkl}. */
  private String archivePrefix() throws TensorFileException {
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
      throw new TensorFileException(
          path, "zip archive has no <name>/data.pkl: not a torch.save file");
    }
    return found;
  }

  private void checkByteOrder() throws IOException {
    ZipArchiveEntry entry = zip.getEntry(prefix + "byteorder");
    if (entry == null) {
      return; // writers before torch 2.1 omit it; they only ran little-endian
    }
    String order = new String(readEntry(entry), StandardCharsets.US_ASCII).trim();
    if (!"little".equals(order)) {
      throw new TensorFileException(
          path, "byteorder is '" + order + "'; only little-endian torch files are supported");
    }
  }

  private byte[] readEntry(ZipArchiveEntry entry) throws IOException {
    if (entry.getSize() > Integer.MAX_VALUE - 8) {
      throw new TensorFileException(path, entry.getName() + " is larger than 2 GiB");
    }
    try (InputStream in = zip.getInputStream(entry)) {
      byte[] data = in.readAllBytes();
      if (entry.getSize() >= 0 && data.length != entry.getSize()) {
        throw new TensorFileException(
            path,
            entry.getName()
                + " is truncated: "
                + data.length
                + " of "
                + entry.getSize()
                + " bytes");
      }
      return data;
    } catch (TensorFileException e) {
      throw e;
    } catch (IOException e) {
      throw new TensorFileException(
          path, "cannot read " + entry.getName() + ": " + e.getMessage(), e);
    }
  }

  private ByteBuffer readAt(long offset, int length, String name) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(length);
    while (b.hasRemaining()) {
      if (channel.read(b, offset + b.position()) < 0) {
        throw new TensorFileException(path, "storage " + name + " is truncated");
      }
    }
    return b.flip();
  }
}
