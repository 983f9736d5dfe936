package dev.speculators.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.zip.CRC32;
import org.apache.commons.compress.archivers.zip.Zip64Mode;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/**
 * Writes the zip container of a torch.save file the way torch does: uncompressed records under one
 * folder named after the file, each record's data 64-byte aligned, in torch's order ({@code
 * data.pkl}, {@code .format_version}, {@code .storage_alignment}, {@code byteorder}, {@code
 * data/<key>}..., {@code version}, {@code .data/serialization_id}).
 */
final class TorchArchiveWriter implements Closeable {
  static final int ALIGNMENT = 64;

  /** 1980-01-01, the earliest zip time stamp: the output does not depend on the clock. */
  private static final long DOS_EPOCH =
      LocalDateTime.of(1980, 1, 1, 0, 0).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();

  private final ZipArchiveOutputStream zip;
  private final String prefix;
  private final CRC32 recordChecksums = new CRC32();
  private long totalBytes;

  TorchArchiveWriter(Path file, String archiveName) throws IOException {
    this.zip = new ZipArchiveOutputStream(file);
    this.zip.setUseZip64(Zip64Mode.AsNeeded);
    this.prefix = archiveName + "/";
  }

  /** The archive folder torch uses: the file name without its extension. */
  static String archiveName(Path target) {
    String name = target.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String stem = dot > 0 ? name.substring(0, dot) : name;
    return stem.isEmpty() ? "archive" : stem;
  }

  /** The records before the storages. */
  void writeHeader(byte[] pickle) throws IOException {
    record("data.pkl", ByteBuffer.wrap(pickle));
    record(".format_version", ascii("1"));
    record(".storage_alignment", ascii(Integer.toString(ALIGNMENT)));
    record("byteorder", ascii("little"));
  }

  void writeStorage(String key, ByteBuffer data) throws IOException {
    record("data/" + key, data);
  }

  /** The records after the storages. */
  void writeTrailer() throws IOException {
    record("version", ascii("3\n"));
    // torch writes 40 digits: a checksum of the records and a number unique to the save;
    // content-derived digits keep our output reproducible byte for byte
    String id = String.format("%020d%020d", recordChecksums.getValue(), totalBytes);
    record(".data/serialization_id", ascii(id));
  }

  @Override
  public void close() throws IOException {
    zip.close();
  }

  private void record(String name, ByteBuffer data) throws IOException {
    ZipArchiveEntry entry = new ZipArchiveEntry(prefix + name);
    entry.setMethod(ZipArchiveEntry.STORED);
    entry.setAlignment(ALIGNMENT);
    entry.setSize(data.remaining());
    entry.setTime(DOS_EPOCH);
    CRC32 crc = new CRC32();
    crc.update(data.duplicate());
    entry.setCrc(crc.getValue());
    recordChecksums.update(ByteBuffer.allocate(8).putLong(0, crc.getValue()));
    totalBytes += data.remaining();
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

  private static ByteBuffer ascii(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
  }
}
