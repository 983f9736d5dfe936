package dev.speculators.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our torch.save writer: round trips, file layout, and what Python torch reads from it. */
class TorchFilesWriteTest {
  @TempDir Path tmp;

  /** A value with every dtype, nesting, keys of both kinds and plain Python values. */
  static Map<String, Object> everything() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("f64", HostTensor.ofDoubles(new double[] {1.5, -2.25, 1e-300}, 3));
    m.put("f32", HostTensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
    m.put("f16", HostTensor.ofFloats(new float[] {0.5f, -1.75f, 65504f, 6e-8f}).toF16());
    m.put("bf16", HostTensor.ofFloats(new float[] {0.1f, -3.3f, 1e30f, 7f, 8f, 9f}, 3, 2).toBf16());
    m.put("i64", HostTensor.ofLongs(new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE}));
    m.put("i32", HostTensor.ofInts(new int[] {Integer.MIN_VALUE, 5, Integer.MAX_VALUE}));
    m.put("i16", HostTensor.ofShorts(new short[] {Short.MIN_VALUE, 7, Short.MAX_VALUE}));
    m.put("i8", HostTensor.ofBytes(DType.I8, new byte[] {-128, 0, 127}));
    m.put("u8", HostTensor.ofBytes(DType.U8, new byte[] {0, (byte) 200, (byte) 255}));
    m.put("bool", HostTensor.ofBools(new boolean[] {true, false, true, true}, 2, 2));
    m.put("scalar", HostTensor.scalarLong(42));
    m.put("scalar_f", HostTensor.scalarFloat(-0.5f));
    m.put("empty", HostTensor.zeros(DType.F32, 0, 5));
    m.put("big", HostTensor.ofFloats(ramp(300_000)).toBf16().reshape(600, 500));
    Map<Object, Object> byInt = new LinkedHashMap<>();
    byInt.put(5L, 10L);
    byInt.put(1L << 40, -3L);
    byInt.put(0, 1);
    m.put("int_keys", byInt);
    List<Object> list = new ArrayList<>();
    list.add(HostTensor.ofLongs(new long[] {1, 2}));
    list.add(2.5);
    list.add("text ünïcode");
    list.add(true);
    list.add(null);
    list.add(new Object[] {1L, "tuple"});
    m.put("list", list);
    m.put("ints", List.of(0L, 255L, 256L, 65535L, 65536L, -1L, 1L << 31, Long.MIN_VALUE));
    m.put("floats", List.of(0.1, -0.0, 1e308, Double.MIN_VALUE));
    return m;
  }

  static float[] ramp(int n) {
    float[] f = new float[n];
    for (int i = 0; i < n; i++) {
      f[i] = (float) Math.sin(i * 0.01) * (1 + i % 7);
    }
    return f;
  }

  @Test
  void roundTripsEveryDtypeAndValue() throws Exception {
    Path file = tmp.resolve("all.pt");
    Map<String, Object> value = everything();
    TorchFiles.save(file, value);
    Object back = TorchFiles.load(file);
    assertThat(Describe.of(back)).isEqualTo(Describe.of(normalizedForComparison(value)));
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) back;
    assertThat(((HostTensor) m.get("big")).contentEquals((HostTensor) value.get("big"))).isTrue();
    assertThat(List.copyOf(((Map<?, ?>) m.get("int_keys")).keySet()))
        .isEqualTo(List.of(5L, 1L << 40, 0L));
  }

  /** What the reader returns for the Java values we wrote: ints as Long, arrays as lists. */
  static Object normalizedForComparison(Object o) {
    if (o instanceof Map) {
      Map<Object, Object> out = new LinkedHashMap<>();
      ((Map<?, ?>) o)
          .forEach((k, v) -> out.put(normalizedForComparison(k), normalizedForComparison(v)));
      return out;
    }
    if (o instanceof List || o instanceof Object[]) {
      List<Object> out = new ArrayList<>();
      for (Object v : o instanceof List ? (List<?>) o : List.of((Object[]) o)) {
        out.add(normalizedForComparison(v));
      }
      return out;
    }
    if (o instanceof Integer) {
      return ((Integer) o).longValue();
    }
    return o;
  }

  @Test
  void layoutMatchesTorch() throws Exception {
    Path file = tmp.resolve("data_17.pt");
    TorchFiles.save(file, everything());
    List<String> names = new ArrayList<>();
    try (ZipFile zip = ZipFile.builder().setPath(file).get()) {
      for (ZipArchiveEntry e :
          (Iterable<ZipArchiveEntry>) zip.getEntriesInPhysicalOrder()::asIterator) {
        names.add(e.getName());
        assertThat(e.getMethod()).isEqualTo(ZipArchiveEntry.STORED);
        assertThat(e.getDataOffset() % 64).as("alignment of %s", e.getName()).isZero();
      }
      assertThat(read(zip, "data_17/.format_version")).isEqualTo("1");
      assertThat(read(zip, "data_17/.storage_alignment")).isEqualTo("64");
      assertThat(read(zip, "data_17/byteorder")).isEqualTo("little");
      assertThat(read(zip, "data_17/version")).isEqualTo("3\n");
      assertThat(read(zip, "data_17/.data/serialization_id")).matches("[0-9]{40}");
      byte[] pickle = zip.getInputStream(zip.getEntry("data_17/data.pkl")).readAllBytes();
      assertThat(pickle[0] & 0xFF).isEqualTo(0x80);
      assertThat(pickle[1]).isEqualTo((byte) 2); // protocol 2, like torch.save's default
    }
    assertThat(names.get(0)).isEqualTo("data_17/data.pkl");
    assertThat(names).contains("data_17/data/0", "data_17/data/14");
    assertThat(names.get(names.size() - 1)).isEqualTo("data_17/.data/serialization_id");
  }

  private static String read(ZipFile zip, String name) throws Exception {
    try (InputStream in = zip.getInputStream(zip.getEntry(name))) {
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  @Test
  void outputIsReproducibleAndAtomic() throws Exception {
    Path a = tmp.resolve("a/x.pt");
    Path b = tmp.resolve("b/x.pt");
    TorchFiles.save(a, everything());
    TorchFiles.save(b, everything());
    assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
    try (var files = Files.list(a.getParent())) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("x.pt");
    }
  }

  @Test
  void memoryMappedTensorsCanBeWrittenAgain() throws Exception {
    Path first = tmp.resolve("first.pt");
    TorchFiles.save(first, Map.of("big", everything().get("big")));
    HostTensor mapped = (HostTensor) ((Map<?, ?>) TorchFiles.load(first)).get("big");
    assertThat(mapped.data().isDirect()).as("large storages are memory-mapped").isTrue();
    Path second = tmp.resolve("second.pt");
    TorchFiles.save(second, List.of(mapped, mapped.slice0(10, 20)));
    List<?> back = (List<?>) TorchFiles.load(second);
    assertThat(((HostTensor) back.get(0)).contentEquals(mapped)).isTrue();
    assertThat(((HostTensor) back.get(1)).contentEquals(mapped.slice0(10, 20))).isTrue();
  }

  @Test
  void unsupportedValuesNameTheirPosition() {
    Map<String, Object> bad = new LinkedHashMap<>();
    bad.put("ok", 1L);
    bad.put("nested", Map.of("inner", List.of(1L, new StringBuilder("x"))));
    assertThatThrownBy(() -> TorchFiles.save(tmp.resolve("bad.pt"), bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("value['nested']['inner'][1]")
        .hasMessageContaining("StringBuilder");
    assertThatThrownBy(() -> TorchFiles.save(tmp.resolve("bad.pt"), Map.of(1.5, 1L)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key of unsupported type java.lang.Double");
    assertThat(tmp.resolve("bad.pt")).doesNotExist();
  }

  @Test
  void pythonTorchLoadsOurFilesWithWeightsOnly() throws Exception {
    PythonSupport.assumeModules("torch");
    Path file = tmp.resolve("for_python.pt");
    Map<String, Object> value = everything();
    TorchFiles.save(file, value);
    assertThat(PythonSupport.describeFile("torch", file))
        .isEqualTo(Describe.of(normalizedForComparison(value)));
    // tuples stay tuples and tensors have the dtype torch expects
    String out =
        PythonSupport.runSnippet(
            "import sys, torch\n"
                + "d = torch.load(sys.argv[1], weights_only=True)\n"
                + "print(type(d['list'][5]).__name__, d['bf16'].dtype, d['scalar'].dim(),"
                + " d['big'].is_contiguous(), d['big'].stride())",
            file.toString());
    assertThat(out.strip()).isEqualTo("tuple torch.bfloat16 0 True (500, 1)");
  }

  @Test
  void pythonTorchLoadsOurFilesWithMmap() throws Exception {
    PythonSupport.assumeModules("torch");
    Path file = tmp.resolve("mmap.pt");
    TorchFiles.save(file, everything());
    String out =
        PythonSupport.runSnippet(
            "import sys, torch\n"
                + "d = torch.load(sys.argv[1], weights_only=True, mmap=True)\n"
                + "print(float(d['big'].float().sum()))",
            file.toString());
    double expected = 0;
    for (float f : ((HostTensor) everything().get("big")).toFloatArray()) {
      expected += f;
    }
    assertThat(Double.parseDouble(out.strip()))
        .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-2));
  }

  @Test
  void storagesLieLittleEndianAtTheirOffsets() throws Exception {
    Path file = tmp.resolve("le.pt");
    TorchFiles.save(file, List.of(HostTensor.ofInts(new int[] {0x01020304})));
    try (ZipFile zip = ZipFile.builder().setPath(file).get()) {
      ZipArchiveEntry e = zip.getEntry("le/data/0");
      byte[] raw = new byte[4];
      try (var ch = java.nio.channels.FileChannel.open(file)) {
        ch.read(ByteBuffer.wrap(raw), e.getDataOffset());
      }
      assertThat(ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getInt())
          .isEqualTo(0x01020304);
    }
  }
}
