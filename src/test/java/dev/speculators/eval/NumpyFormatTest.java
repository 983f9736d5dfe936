package dev.speculators.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class NumpyFormatTest {
  // expected strings printed by numpy 2.4: str(np.round(np.array(a), 3))

  @Test
  void padsFractionsToACommonWidthLikeNumpy() {
    assertThat(NumpyFormat.roundedArray(new double[] {0.7333, 0.5333, 0.3333}))
        .isEqualTo("[0.733 0.533 0.333]");
    assertThat(NumpyFormat.roundedArray(new double[] {0.7, 0.55, 0.45}))
        .isEqualTo("[0.7  0.55 0.45]");
    assertThat(NumpyFormat.roundedArray(new double[] {1.0, 0.5})).isEqualTo("[1.  0.5]");
    assertThat(NumpyFormat.roundedArray(new double[] {0.0, 0.0})).isEqualTo("[0. 0.]");
    assertThat(NumpyFormat.roundedArray(new double[] {1.0, 0.7271, 0.625}))
        .isEqualTo("[1.    0.727 0.625]");
    assertThat(NumpyFormat.roundedArray(new double[] {0.0005, 0.3})).isEqualTo("[0.  0.3]");
    assertThat(
            NumpyFormat.roundedArray(new double[] {0.7333, Double.NaN, Double.POSITIVE_INFINITY}))
        .isEqualTo("[0.733   nan   inf]");
  }

  @Test
  void wrapsAt75Columns() {
    double[] a = new double[20];
    Arrays.fill(a, 0.123);
    assertThat(NumpyFormat.roundedArray(a))
        .isEqualTo(
            "[0.123 0.123 0.123 0.123 0.123 0.123 0.123 0.123 0.123 0.123 0.123 0.123\n"
                + " 0.123 0.123 0.123 0.123 0.123 0.123 0.123 0.123]");
  }

  @Test
  void twoDecimalsRoundsHalfToEvenOnTheBinaryValue() {
    assertThat(NumpyFormat.twoDecimals(450.0)).isEqualTo("450.00");
    assertThat(NumpyFormat.twoDecimals(0.125))
        .isEqualTo("0.12"); // exact tie: half to even, like Python
    assertThat(NumpyFormat.twoDecimals(2.675)).isEqualTo("2.67"); // binary value is below the tie
    assertThat(NumpyFormat.twoDecimals(1697.625)).isEqualTo("1697.62");
  }
}
