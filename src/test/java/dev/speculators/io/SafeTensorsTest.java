package dev.speculators.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SafeTensorsTest {
  @TempDir Path tmp;

  static Stream<Arguments> fixtureFiles() {
    JsonNode refs = TestData.reference("fixture-references.json").get("safetensors");
    List<Arguments> out = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : refs.properties()) {
      out.add(Arguments.of(e.getKey(), e.getValue()));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtureFiles")
  void readsFixturesBitExactly(String file, JsonNode expected) throws Exception {
    assertThat(Describe.ofSafetensors(TestData.fixture(file))).isEqualTo(expected);
  }

  @Test
  void readsEveryDtypeWrittenByPython() throws Exception {
    Path file = TestData.io("safetensors/all_dtypes.safetensors");
    assertThat(Describe.ofSafetensors(file)).isEqualTo(TestData.reference("safetensors.json"));
    try (SafeTensorsFile f = SafeTensors.open(file)) {
      assertThat(f.metadata()).containsEntry("format", "pt").containsEntry("note", "reference");
      assertThat(f.get("scalar").rank()).isZero();
      assertThat(f.get("scalar").floatAt(0)).isEqualTo(1.5f);
      assertThat(f.get("mask").toBoolArray()).containsExactly(true, false, true);
      assertThat(f.get("u8").toLongArray()).containsExactly(1, 2, 255);
      assertThat(f.get("empty").shape()).containsExactly(0, 3);
      assertThat(f.has("nope")).isFalse();
      assertThatThrownBy(() -> f.get("nope"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("no tensor named 'nope'");
    }
  }

  @Test
  void writesBytesIdenticalToThePythonWriter() throws Exception {
    Path reference = TestData.io("safetensors/all_dtypes.safetensors");
    Map<String, HostTensor> tensors = SafeTensors.readAll(reference);
    Map<String, String> metadata;
    try (SafeTensorsFile f = SafeTensors.open(reference)) {
      metadata = f.metadata(); // the reference writer's order, which it does not define
    }
    Path ours = tmp.resolve("ours.safetensors");
    SafeTensors.write(ours, tensors, metadata);
    assertThat(Files.readAllBytes(ours)).isEqualTo(Files.readAllBytes(reference));
  }

  @Test
  void roundTripsAndReadsRowRanges() throws Exception {
    Map<String, HostTensor> tensors = new LinkedHashMap<>();
    tensors.put("w", HostTensor.ofFloats(TorchFilesWriteTest.ramp(40_000), 200, 200).toBf16());
    tensors.put("ids", HostTensor.ofLongs(new long[] {3, 1, 4, 1, 5}));
    tensors.put("flag", HostTensor.ofBools(new boolean[] {true}));
    Path file = tmp.resolve("x.safetensors");
    SafeTensors.write(file, tensors, null);
    try (SafeTensorsFile f = SafeTensors.open(file)) {
      assertThat(f.metadata()).isEmpty();
      assertThat(f.names()).containsExactly("ids", "w", "flag");
      for (String name : tensors.keySet()) {
        assertThat(f.get(name).contentEquals(tensors.get(name))).as(name).isTrue();
      }
      HostTensor rows = f.getRows("w", 17, 42);
      assertThat(rows.contentEquals(tensors.get("w").slice0(17, 42))).isTrue();
      assertThat(f.info("w").shape()).containsExactly(200, 200);
      assertThat(f.info("w").dtype()).isEqualTo(DType.BF16);
    }
    long headerLength =
        ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(headerLength % 8).isZero(); // data starts 8-byte aligned
  }

  @Test
  void tensorsOutliveTheClosedFile() throws Exception {
    Path file = tmp.resolve("x.safetensors");
    HostTensor big = HostTensor.ofFloats(TorchFilesWriteTest.ramp(100_000));
    SafeTensors.write(file, Map.of("big", big), Map.of());
    HostTensor read;
    SafeTensorsFile closed;
    try (SafeTensorsFile f = SafeTensors.open(file)) {
      read = f.get("big");
      closed = f;
    }
    assertThat(read.data().isDirect()).as("large tensors are memory-mapped").isTrue();
    assertThat(read.contentEquals(big)).isTrue();
    assertThatThrownBy(() -> closed.get("big"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void filesLargerThan2GiBAreReadPerTensor() throws Exception {
    long padBytes = 3L << 30; // a sparse 3 GiB tensor in front of the one we read
    String header =
        "{\"pad\":{\"dtype\":\"U8\",\"shape\":["
            + padBytes
            + "],\"data_offsets\":[0,"
            + padBytes
            + "]},"
            + "\"x\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":["
            + padBytes
            + ","
            + (padBytes + 16)
            + "]}}";
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    Path file = tmp.resolve("huge.safetensors");
    try (var ch =
        java.nio.channels.FileChannel.open(
            file,
            java.nio.file.StandardOpenOption.CREATE_NEW,
            java.nio.file.StandardOpenOption.WRITE,
            java.nio.file.StandardOpenOption.SPARSE)) {
      ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, h.length));
      ch.write(ByteBuffer.wrap(h));
      ByteBuffer x = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
      x.putFloat(1.5f).putFloat(-2f).putFloat(3f).putFloat(4.25f).flip();
      ch.write(x, 8 + h.length + padBytes);
    }
    try (SafeTensorsFile f = SafeTensors.open(file)) {
      assertThat(f.get("x").toFloatArray()).containsExactly(1.5f, -2f, 3f, 4.25f);
      assertThat(f.get("x").shape()).containsExactly(2, 2);
      assertThatThrownBy(() -> f.get("pad"))
          .hasMessageContaining("tensor 'pad' has 3221225472 bytes")
          .hasMessageContaining("read it with getRows");
      HostTensor tail = f.getRows("pad", padBytes - 1000, padBytes);
      assertThat(tail.numel()).isEqualTo(1000);
      assertThat(tail.longAt(999)).isZero();
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @Test
  void pythonReadsOurFiles() throws Exception {
    PythonSupport.assumeModules("torch", "safetensors");
    Map<String, HostTensor> tensors = new LinkedHashMap<>();
    Map<String, Object> all = TorchFilesWriteTest.everything();
    all.forEach(
        (k, v) -> {
          if (v instanceof HostTensor) {
            tensors.put(k, (HostTensor) v);
          }
        });
    Path file = tmp.resolve("for_python.safetensors");
    SafeTensors.write(file, tensors, Map.of("format", "pt"));
    assertThat(PythonSupport.describeFile("safetensors", file))
        .isEqualTo(Describe.ofSafetensors(file));
    JsonNode fromPython = PythonSupport.describeFile("safetensors", file).get("tensors");
    for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
      assertThat(fromPython.get(e.getKey()))
          .as(e.getKey())
          .isEqualTo(Describe.ofTensor(e.getValue()));
    }
  }

  @Test
  void truncatedFilesNameTheTensor() throws Exception {
    Path good = tmp.resolve("good.safetensors");
    SafeTensors.write(
        good,
        Map.of(
            "a",
            HostTensor.ofFloats(new float[] {1, 2, 3}),
            "b",
            HostTensor.ofLongs(new long[] {7})),
        null);
    byte[] bytes = Files.readAllBytes(good);
    Path cut = tmp.resolve("cut.safetensors");
    for (int len = 0; len < bytes.length; len++) {
      Files.write(cut, Arrays.copyOf(bytes, len));
      try (SafeTensorsFile f = SafeTensors.open(cut)) {
        fail("opened a file cut at " + len);
      } catch (TensorFileException e) {
        assertThat(e.getMessage()).startsWith(cut.toString());
      } catch (Throwable t) {
        fail("cut at " + len + " escaped as " + t, t);
      }
    }
    Files.write(cut, Arrays.copyOf(bytes, bytes.length - 1));
    assertThatThrownBy(() -> SafeTensors.open(cut))
        .isInstanceOf(TensorFileException.class)
        .hasMessageContaining("tensor 'a'")
        .hasMessageContaining("truncated");
  }

  @Test
  void malformedHeadersAreRejectedWithTheirReason() throws Exception {
    expectHeaderError(
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
        12,
        "tensors 'a' [0, 8) and 'b' [4, 12) overlap");
    expectHeaderError(
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
        8,
        "tensor 'a' has data_offsets [0, 8] (8 bytes) but F32[3] needs 12 bytes");
    expectHeaderError(
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
        4,
        "tensor 'a' ends at data byte 8 but the file holds only 4 bytes of data (truncated)");
    expectHeaderError(
        "{\"a\":{\"dtype\":\"Q7\",\"shape\":[2],\"data_offsets\":[0,8]}}",
        8,
        "tensor 'a': unsupported safetensors dtype 'Q7'");
    expectHeaderError(
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}",
        8,
        "tensor 'a' has an invalid shape entry -2");
    expectHeaderError(
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8]}}",
        8,
        "tensor 'a' has no valid data_offsets");
    expectHeaderError(
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8, "end before begin");
    expectHeaderError("{\"a\": [1, 2", 8, "header is not valid JSON");
    expectHeaderError("[1, 2]", 8, "does not start with '{'");
    expectHeaderError(
        "{\"__metadata__\":{\"k\":3}}", 0, "__metadata__ value of 'k' is not a string");
  }

  @Test
  void absurdHeaderLengthsAreRejected() throws Exception {
    Path file = tmp.resolve("garbage.safetensors");
    Files.write(file, "this is not a safetensors file at all".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> SafeTensors.open(file))
        .isInstanceOf(TensorFileException.class)
        .hasMessageContaining("garbage.safetensors")
        .hasMessageContaining("header length");
  }

  private void expectHeaderError(String header, int dataBytes, String message) throws Exception {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer file = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    file.putLong(h.length).put(h);
    Path path = tmp.resolve("bad.safetensors");
    Files.write(path, file.array());
    assertThatThrownBy(() -> SafeTensors.open(path))
        .isInstanceOf(TensorFileException.class)
        .hasMessageStartingWith(path.toString())
        .hasMessageContaining(message);
  }
}
