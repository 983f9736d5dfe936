package dev.speculators.io;

/**
 * Conversions between float32 and the two 16-bit float formats. Widening is exact; narrowing rounds
 * to nearest, ties to even, like torch and numpy.
 */
public final class HalfFloats {
  /** The bf16 bits every NaN becomes (c10's scalar conversion uses the same quiet NaN). */
  public static final short BF16_NAN = (short) 0x7FC0;

  private HalfFloats() {}

  /** Exact: a bf16 is the upper half of a float32. */
  public static float bf16ToFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xFFFF) << 16);
  }

  /**
   * Round-to-nearest-even narrowing, bit-identical to torch's {@code .to(torch.bfloat16)} for every
   * non-NaN input (overflow rounds to infinity, subnormals keep their bits). NaN becomes {@link
   * #BF16_NAN}; torch's vectorised CPU kernel writes 0xFFFF instead, also a NaN.
   */
  public static short floatToBf16(float value) {
    if (Float.isNaN(value)) {
      return BF16_NAN;
    }
    int u = Float.floatToRawIntBits(value);
    int roundingBias = ((u >>> 16) & 1) + 0x7FFF;
    return (short) ((u + roundingBias) >>> 16);
  }

  /** Exact widening of an IEEE binary16 value. */
  public static float f16ToFloat(short bits) {
    int h = bits & 0xFFFF;
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1F;
    int mant = h & 0x3FF;
    if (exp == 0) {
      float v = mant * 0x1p-24f; // subnormal (or zero): mant * 2^-24, exact in float32
      return sign != 0 ? -v : v;
    }
    if (exp == 0x1F) {
      return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
    }
    return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
  }

  /** Round-to-nearest-even narrowing to IEEE binary16 (overflow to infinity, subnormals kept). */
  public static short floatToF16(float value) {
    int x = Float.floatToRawIntBits(value);
    int sign = (x >>> 16) & 0x8000;
    int exp = (x >>> 23) & 0xFF;
    int mant = x & 0x7FFFFF;
    if (exp == 0xFF) {
      return (short) (mant == 0 ? sign | 0x7C00 : sign | 0x7E00 | (mant >>> 13));
    }
    int e = exp - 127 + 15;
    if (e >= 0x1F) {
      return (short) (sign | 0x7C00);
    }
    if (e <= 0) {
      if (e < -10) {
        return (short) sign;
      }
      int m = mant | 0x800000;
      int shift = 14 - e;
      int half = m >>> shift;
      int rem = m & ((1 << shift) - 1);
      int halfway = 1 << (shift - 1);
      if (rem > halfway || (rem == halfway && (half & 1) != 0)) {
        half++;
      }
      return (short) (sign | half);
    }
    int half = sign | (e << 10) | (mant >>> 13);
    int rem = mant & 0x1FFF;
    if (rem > 0x1000 || (rem == 0x1000 && (half & 1) != 0)) {
      half++; // a carry into the exponent is the correct rounding, up to infinity
    }
    return (short) half;
  }
}
