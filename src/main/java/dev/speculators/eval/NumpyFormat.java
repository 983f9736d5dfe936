package dev.speculators.eval;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Formats numbers the way NumPy prints them, so that reports match the upstream Python tools
 * character for character: {@code str(np.round(a, 3))} for 1-D float arrays (default print options:
 * unique shortest digits, fractional parts padded to a common width, 75-column lines) and Python's
 * {@code f"{x:.2f}"} (round half to even on the exact binary value).
 */
public final class NumpyFormat {
  private static final int LINE_WIDTH = 75;

  private NumpyFormat() {}

  /** {@code np.round(x, decimals)}: scale, round half to even, scale back. */
  public static double round(double x, int decimals) {
    if (!Double.isFinite(x)) {
      return x;
    }
    double scale = Math.pow(10, decimals);
    return Math.rint(x * scale) / scale;
  }

  /** {@code str(np.round(values, 3))}. */
  public static String roundedArray(double[] values) {
    String[] digits = new String[values.length];
    int intWidth = 0;
    int fracWidth = 0;
    boolean anyFinite = false;
    for (int i = 0; i < values.length; i++) {
      double v = round(values[i], 3);
      if (!Double.isFinite(v)) {
        continue;
      }
      anyFinite = true;
      // after rounding to 3 decimals the shortest unique form has at most 3 fractional digits
      String plain =
          BigDecimal.valueOf(Math.rint(v * 1000))
              .movePointLeft(3)
              .stripTrailingZeros()
              .toPlainString();
      int dot = plain.indexOf('.');
      String intPart = dot < 0 ? plain : plain.substring(0, dot);
      String frac = dot < 0 ? "" : plain.substring(dot + 1);
      digits[i] = intPart + "." + frac;
      intWidth = Math.max(intWidth, intPart.length());
      fracWidth = Math.max(fracWidth, frac.length());
    }
    String[] words = new String[values.length];
    for (int i = 0; i < values.length; i++) {
      double v = values[i];
      if (Double.isFinite(v)) {
        String d = digits[i];
        int dot = d.indexOf('.');
        words[i] =
            pad(d.substring(0, dot), intWidth, true)
                + "."
                + pad(d.substring(dot + 1), fracWidth, false);
      } else {
        String s = Double.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
        words[i] = anyFinite ? pad(s, intWidth + 1 + fracWidth, true) : s;
      }
    }
    return wrap(words);
  }

  /** Python's {@code f"{x:.2f}"}. */
  public static String twoDecimals(double x) {
    if (Double.isNaN(x)) {
      return "nan";
    }
    if (Double.isInfinite(x)) {
      return x > 0 ? "inf" : "-inf";
    }
    return new BigDecimal(x).setScale(2, RoundingMode.HALF_EVEN).toPlainString();
  }

  private static String wrap(String[] words) {
    StringBuilder out = new StringBuilder();
    StringBuilder line = new StringBuilder("[");
    int limit = LINE_WIDTH - 1; // room for the closing bracket
    for (int i = 0; i < words.length; i++) {
      boolean wrap = line.length() + words[i].length() > limit && line.length() > 1;
      if (wrap) {
        out.append(line.toString().stripTrailing()).append('\n');
        line = new StringBuilder(" ");
      }
      line.append(words[i]);
      if (i < words.length - 1) {
        line.append(' ');
      }
    }
    return out.append(line).append(']').toString();
  }

  private static String pad(String s, int width, boolean left) {
    if (s.length() >= width) {
      return s;
    }
    String spaces = " ".repeat(width - s.length());
    return left ? spaces + s : s + spaces;
  }
}
