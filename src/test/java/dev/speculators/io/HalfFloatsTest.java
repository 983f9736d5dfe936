package dev.speculators.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** bf16/f16 rounding against values torch produced for tricky inputs (half-rounding.json). */
class HalfFloatsTest {
  private static final JsonNode REF = TestData.reference("half-rounding.json");

  private static float input(int i) {
    return Float.intBitsToFloat((int) REF.get("float32_bits").get(i).asLong());
  }

  @Test
  void bf16RoundingIsBitIdenticalToTorch() {
    int n = REF.get("float32_bits").size();
    assertThat(n).isGreaterThan(4000);
    for (int i = 0; i < n; i++) {
      float x = input(i);
      short want = (short) REF.get("bf16_bits").get(i).asInt();
      short got = HalfFloats.floatToBf16(x);
      if (Float.isNaN(x)) {
        assertThat(Float.isNaN(HalfFloats.bf16ToFloat(got)))
            .as("NaN input %d stays NaN", i)
            .isTrue();
      } else {
        assertThat(got).as("bf16 of %s (bits %08x)", x, Float.floatToRawIntBits(x)).isEqualTo(want);
      }
    }
  }

  @Test
  void f16RoundingIsBitIdenticalToTorch() {
    int n = REF.get("float32_bits").size();
    for (int i = 0; i < n; i++) {
      float x = input(i);
      short want = (short) REF.get("f16_bits").get(i).asInt();
      short got = HalfFloats.floatToF16(x);
      if (Float.isNaN(x)) {
        assertThat(Float.isNaN(HalfFloats.f16ToFloat(got))).isTrue();
      } else {
        assertThat(got).as("f16 of %s (bits %08x)", x, Float.floatToRawIntBits(x)).isEqualTo(want);
      }
    }
  }

  @Test
  void widenIsExactForEveryPattern() {
    for (int bits = 0; bits < 65536; bits++) {
      short h = (short) bits;
      float bf = HalfFloats.bf16ToFloat(h);
      assertThat(Float.floatToRawIntBits(bf)).isEqualTo(bits << 16);
      float f16 = HalfFloats.f16ToFloat(h);
      if (!Float.isNaN(f16)) {
        assertThat(HalfFloats.floatToF16(f16)).as("f16 %04x", bits).isEqualTo(h);
        assertThat(HalfFloats.floatToBf16(bf)).isEqualTo(h);
      }
    }
  }

  @Test
  void tensorConversionUsesTheSameRounding() {
    int n = REF.get("float32_bits").size();
    float[] in = new float[n];
    for (int i = 0; i < n; i++) {
      in[i] = input(i);
    }
    short[] bf = HostTensor.ofFloats(in).toBf16().toShortBits();
    short[] f16 = HostTensor.ofFloats(in).toF16().toShortBits();
    for (int i = 0; i < n; i++) {
      if (!Float.isNaN(in[i])) {
        assertThat(bf[i]).isEqualTo((short) REF.get("bf16_bits").get(i).asInt());
        assertThat(f16[i]).isEqualTo((short) REF.get("f16_bits").get(i).asInt());
      }
    }
  }
}
