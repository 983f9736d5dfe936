package dev.speculators.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken torch files must fail with a {@link TensorFileException} that names the file. */
class TorchFilesCorruptionTest {
  @TempDir Path tmp;

  private static final Path VIEWS = TestData.io("views/views.pt");

  @Test
  void everyTruncationFailsCleanly() throws Exception {
    byte[] whole = Files.readAllBytes(VIEWS);
    Path cut = tmp.resolve("cut.pt");
    for (int len = 0; len < whole.length; len += len < 100 ? 1 : 211) {
      Files.write(cut, Arrays.copyOf(whole, len));
      expectCleanFailure(cut, "cut at " + len);
    }
  }

  @Test
  void flippedPickleBytesNeverEscapeAsOtherExceptions() throws Exception {
    Map<String, byte[]> entries = entries(VIEWS);
    byte[] pickle = entries.get("views/data.pkl");
    Random random = new Random(42);
    Path file = tmp.resolve("fuzz.pt");
    int loaded = 0;
    for (int round = 0; round < 300; round++) {
      byte[] mutated = pickle.clone();
      int flips = 1 + random.nextInt(3);
      for (int f = 0; f < flips; f++) {
        int at = random.nextInt(mutated.length);
        mutated[at] =
            random.nextInt(4) == 0
                ? (byte) random.nextInt(256)
                : (byte) (mutated[at] ^ (1 << random.nextInt(8)));
      }
      write(file, entries, Map.of("views/data.pkl", mutated));
      try {
        TorchFiles.load(file);
        loaded++;
      } catch (TensorFileException e) {
        assertThat(e.getMessage()).startsWith(file.toString());
      } catch (Throwable t) {
        fail("round " + round + " escaped as " + t, t);
      }
    }
    assertThat(loaded).isLessThan(300);
  }

  @Test
  void emptyAndForeignFiles() throws Exception {
    Path empty = tmp.resolve("empty.pt");
    Files.write(empty, new byte[0]);
    assertThatThrownBy(() -> TorchFiles.load(empty))
        .isInstanceOf(TensorFileException.class)
        .hasMessageContaining("empty.pt")
        .hasMessageContaining("too short");
    Path legacy = tmp.resolve("legacy.pt");
    Files.write(legacy, new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc});
    assertThatThrownBy(() -> TorchFiles.load(legacy))
        .isInstanceOf(TensorFileException.class)
        .hasMessageContaining("older than 1.6");
    Path zipWithoutPickle = tmp.resolve("nopkl.pt");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zipWithoutPickle))) {
      out.putNextEntry(new ZipEntry("a/readme.txt"));
      out.write("hello".getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    assertThatThrownBy(() -> TorchFiles.load(zipWithoutPickle))
        .isInstanceOf(TensorFileException.class)
        .hasMessageContaining("no <name>/data.pkl");
  }

  @Test
  void missingOrShortStoragesAreNamed() throws Exception {
    Path missing = tmp.resolve("missing.pt");
    Map<String, byte[]> drop = new LinkedHashMap<>();
    drop.put("views/data/3", null);
    rebuild(VIEWS, missing, drop);
    assertThatThrownBy(() -> TorchFiles.load(missing))
        .isInstanceOf(TensorFileException.class)
        .hasMessageContaining("missing.pt")
        .hasMessageContaining("storage views/data/3 referenced by data.pkl is missing");

    Path shortStorage = tmp.resolve("short.pt");
    byte[] storage = entry(VIEWS, "views/data/3");
    rebuild(
        VIEWS, shortStorage, Map.of("views/data/3", Arrays.copyOf(storage, storage.length - 2)));
    assertThatThrownBy(() -> TorchFiles.load(shortStorage))
        .isInstanceOf(TensorFileException.class)
        .hasMessageContaining("storage views/data/3 has " + (storage.length - 2) + " bytes");
  }

  @Test
  void viewsOutsideTheirStorageAreRejected() throws Exception {
    // shrink the declared storage of the 'sliced' view so that offset+strides reach past it
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("t", HostTensor.ofFloats(new float[] {1, 2, 3, 4}));
    Path ok = tmp.resolve("ok.pt");
    TorchFiles.save(ok, value);
    byte[] pickle = entry(ok, "ok/data.pkl");
    // the size tuple (4,) is written as BININT1 4 followed by TUPLE1; claim 5 elements
    byte[] bigger =
        replaceOnce(pickle, new byte[] {'K', 4, (byte) 0x85}, new byte[] {'K', 5, (byte) 0x85});
    Path bad = tmp.resolve("bad.pt");
    rebuild(ok, bad, Map.of("ok/data.pkl", bigger));
    assertThatThrownBy(() -> TorchFiles.load(bad))
        .isInstanceOf(TensorFileException.class)
        .hasMessageContaining("bad.pt")
        .hasMessageContaining("reaches element 4 of a storage with 4 elements");
  }

  @Test
  void arbitraryPythonObjectsAreRefused() throws Exception {
    byte[] evil =
        "\u0080\u0002cos\nsystem\nX\u0002\u0000\u0000\u0000lsq\u0000\u0085R."
            .getBytes(StandardCharsets.ISO_8859_1);
    Path file = tmp.resolve("evil.pt");
    rebuild(VIEWS, file, Map.of("views/data.pkl", evil));
    assertThatThrownBy(() -> TorchFiles.load(file))
        .isInstanceOf(TensorFileException.class)
        .hasMessageContaining("unsupported Python global os.system");
  }

  @Test
  void hugeLengthPrefixesDoNotAllocate() throws Exception {
    byte[] pickle = {(byte) 0x80, 2, 'X', (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, 'a', '.'};
    Path file = tmp.resolve("huge.pt");
    rebuild(VIEWS, file, Map.of("views/data.pkl", pickle));
    assertThatThrownBy(() -> TorchFiles.load(file))
        .isInstanceOf(TensorFileException.class)
        .hasMessageContaining("corrupt length 2147483647");
  }

  private static void expectCleanFailure(Path file, String what) {
    try {
      TorchFiles.load(file);
      fail(what + ": loaded a truncated file");
    } catch (TensorFileException e) {
      assertThat(e.getMessage()).as(what).startsWith(file.toString());
    } catch (Throwable t) {
      fail(what + ": escaped as " + t, t);
    }
  }

  static byte[] entry(Path zip, String name) throws IOException {
    try (ZipFile z = new ZipFile(zip.toFile());
        InputStream in = z.getInputStream(z.getEntry(name))) {
      return in.readAllBytes();
    }
  }

  /** Copies a zip, replacing entries (a null value drops the entry). */
  static void rebuild(Path src, Path dst, Map<String, byte[]> replace) throws IOException {
    write(dst, entries(src), replace);
  }

  /** All entries of a zip, in order. */
  static Map<String, byte[]> entries(Path zip) throws IOException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (ZipFile z = new ZipFile(zip.toFile())) {
      for (ZipEntry e : java.util.Collections.list(z.entries())) {
        try (InputStream in = z.getInputStream(e)) {
          out.put(e.getName(), in.readAllBytes());
        }
      }
    }
    return out;
  }

  /** Writes {@code entries} as a stored zip, with {@code replace} applied (null drops). */
  static void write(Path dst, Map<String, byte[]> entries, Map<String, byte[]> replace)
      throws IOException {
    try (OutputStream os = Files.newOutputStream(dst);
        ZipOutputStream out = new ZipOutputStream(os)) {
      out.setMethod(ZipOutputStream.STORED);
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        byte[] data = replace.containsKey(e.getKey()) ? replace.get(e.getKey()) : e.getValue();
        if (data == null) {
          continue;
        }
        ZipEntry copy = new ZipEntry(e.getKey());
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(data);
        copy.setSize(data.length);
        copy.setCompressedSize(data.length);
        copy.setCrc(crc.getValue());
        out.putNextEntry(copy);
        out.write(data);
        out.closeEntry();
      }
    }
  }

  private static byte[] replaceOnce(byte[] data, byte[] from, byte[] to) {
    outer:
    for (int i = 0; i + from.length <= data.length; i++) {
      for (int j = 0; j < from.length; j++) {
        if (data[i + j] != from[j]) {
          continue outer;
        }
      }
      byte[] out = data.clone();
      System.arraycopy(to, 0, out, i, to.length);
      return out;
    }
    throw new AssertionError("pattern not found");
  }
}
