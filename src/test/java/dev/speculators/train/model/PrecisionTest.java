package dev.speculators.train.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PrecisionTest {

  @Test
  void flagsParseAndTheDefaultFollowsTheDevice() {
    assertThat(Precision.of("bf16")).isEqualTo(Precision.BF16);
    assertThat(Precision.of("FP32")).isEqualTo(Precision.FP32);
    assertThat(Precision.defaultFor(true)).isEqualTo(Precision.BF16);
    assertThat(Precision.defaultFor(false)).isEqualTo(Precision.FP32);
    assertThatThrownBy(() -> Precision.of("fp16"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--precision must be fp32 or bf16, got 'fp16'");
  }
}
