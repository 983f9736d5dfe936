package dev.speculators.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NpyTest {
  @TempDir Path tmp;

  static Stream<Arguments> numpyFiles() {
    JsonNode refs = TestData.reference("npy.json");
    List<Arguments> out = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : refs.properties()) {
      out.add(Arguments.of(e.getKey(), e.getValue()));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("numpyFiles")
  void readsWhatNumpyWrote(String file, JsonNode expected) throws Exception {
    assertThat(Describe.ofTensor(Npy.read(TestData.io("npy/" + file)))).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("numpyFiles")
  void writesBytesIdenticalToNumpy(String file, JsonNode expected) throws Exception {
    if (file.contains("_v")) {
      return; // explicit v2/v3 files: numpy itself writes v1 for these arrays
    }
    Path reference = TestData.io("npy/" + file);
    Path ours = tmp.resolve(file);
    Npy.write(ours, Npy.read(reference));
    assertThat(Files.readAllBytes(ours)).isEqualTo(Files.readAllBytes(reference));
  }

  @Test
  void readsTheUpstreamVocabularyMapping() throws Exception {
    JsonNode refs = TestData.reference("fixture-references.json").get("npy");
    for (String f :
        List.of(
            "speculators-data/vocab_mapping/d2t.npy", "speculators-data/vocab_mapping/t2d.npy")) {
      assertThat(Describe.ofTensor(Npy.read(TestData.fixture(f)))).as(f).isEqualTo(refs.get(f));
    }
    HostTensor t2d = Npy.read(TestData.fixture("speculators-data/vocab_mapping/t2d.npy"));
    int selected = 0;
    for (boolean b : t2d.toBoolArray()) {
      selected += b ? 1 : 0;
    }
    assertThat(selected).isEqualTo(32);
  }

  @Test
  void largeArraysAreMemoryMapped() throws Exception {
    assertThat(Npy.read(TestData.io("npy/big.npy")).data().isDirect()).isTrue();
    assertThat(Npy.read(TestData.io("npy/f4_2d.npy")).data().isDirect()).isFalse();
  }

  @Test
  void rejectsWhatItCannotRepresent() {
    assertThatThrownBy(() -> Npy.read(TestData.io("npy/fortran.npy")))
        .isInstanceOf(TensorFileException.class)
        .hasMessageContaining("fortran.npy")
        .hasMessageContaining("Fortran order");
    assertThatThrownBy(() -> Npy.read(TestData.io("npy/big_endian.npy")))
        .isInstanceOf(TensorFileException.class)
        .hasMessageContaining("big-endian numpy dtype '>f4'");
    assertThatThrownBy(() -> Npy.read(TestData.io("npy/structured.npy")))
        .isInstanceOf(TensorFileException.class)
        .hasMessageContaining("structured arrays are not supported");
    assertThatThrownBy(
            () -> Npy.write(tmp.resolve("x.npy"), HostTensor.ofFloats(new float[] {1}).toBf16()))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("numpy has no BF16 type");
  }

  @Test
  void truncatedFilesFailCleanly() throws Exception {
    byte[] whole = Files.readAllBytes(TestData.io("npy/i4_3d.npy"));
    Path cut = tmp.resolve("cut.npy");
    for (int len = 0; len < whole.length; len++) {
      Files.write(cut, Arrays.copyOf(whole, len));
      assertThatThrownBy(() -> Npy.read(cut))
          .as("cut at %d", len)
          .isInstanceOf(TensorFileException.class)
          .hasMessageStartingWith(cut.toString());
    }
  }

  @Test
  void largeHeadersSwitchToVersion2() throws Exception {
    long[] shape = new long[25_000]; // more than numpy allows, but it exercises the header format
    Arrays.fill(shape, 1);
    HostTensor t = HostTensor.ofFloats(new float[] {4.5f}).reshape(shape);
    Path file = tmp.resolve("deep.npy");
    Npy.write(file, t);
    byte[] bytes = Files.readAllBytes(file);
    assertThat(bytes[6]).isEqualTo((byte) 2);
    assertThat(Npy.read(file).contentEquals(t)).isTrue();
  }

  @Test
  void numpyReadsOurFiles() throws Exception {
    PythonSupport.assumeModules("numpy");
    List<Path> files = new ArrayList<>();
    List<HostTensor> tensors = new ArrayList<>();
    for (Map.Entry<String, Object> e : TorchFilesWriteTest.everything().entrySet()) {
      if (e.getValue() instanceof HostTensor && ((HostTensor) e.getValue()).dtype() != DType.BF16) {
        Path file = tmp.resolve(e.getKey() + ".npy");
        Npy.write(file, (HostTensor) e.getValue());
        files.add(file);
        tensors.add((HostTensor) e.getValue());
      }
    }
    List<JsonNode> fromNumpy = PythonSupport.describeFiles("npy", files);
    assertThat(fromNumpy).hasSize(files.size());
    for (int i = 0; i < files.size(); i++) {
      assertThat(fromNumpy.get(i))
          .as(files.get(i).toString())
          .isEqualTo(Describe.ofTensor(tensors.get(i)));
    }
  }
}
