package dev.speculators.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsBf16WriteTest {

  @Test
  void roundingWhileWritingGivesTheSameFileAsRoundingFirst(@TempDir Path tmp) throws Exception {
    Random r = new Random(9);
    Map<String, HostTensor> tensors = new LinkedHashMap<>();
    // larger than one conversion chunk and not a multiple of it, plus odd values
    float[] big = new float[17 * 11569]; // 3 chunks of 65536 and 65 more
    for (int i = 0; i < big.length; i++) {
      big[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(9) - 4));
    }
    big[0] = Float.NaN;
    big[1] = Float.NEGATIVE_INFINITY;
    big[2] = 1.00390625f; // exactly halfway between two bf16 values: ties to even
    tensors.put("w", HostTensor.ofFloats(big, 17, big.length / 17));
    tensors.put("b", HostTensor.ofFloats(new float[] {1.5f, -2.25f}, 2));
    tensors.put("ids", HostTensor.ofLongs(new long[] {3, 1, 4}, 3));
    Map<String, HostTensor> rounded = new LinkedHashMap<>();
    tensors.forEach((n, t) -> rounded.put(n, t.dtype() == DType.F32 ? t.toBf16() : t));
    Path streamed = tmp.resolve("streamed.safetensors");
    Path reference = tmp.resolve("reference.safetensors");
    SafeTensors.writeF32AsBf16(streamed, tensors, Map.of("format", "pt"));
    SafeTensors.write(reference, rounded, Map.of("format", "pt"));
    assertThat(Files.readAllBytes(streamed)).isEqualTo(Files.readAllBytes(reference));
    assertThat(SafeTensors.readAll(streamed).get("w").dtype()).isEqualTo(DType.BF16);
    assertThat(SafeTensors.readAll(streamed).get("ids").dtype()).isEqualTo(DType.I64);
  }
}
