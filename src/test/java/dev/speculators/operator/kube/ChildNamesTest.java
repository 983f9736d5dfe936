package dev.speculators.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChildNamesTest {
  @Test
  void shortNamesAreOwnerDashSuffix() {
    assertThat(ChildNames.of("llama", "datagen")).isEqualTo("llama-datagen");
  }

  @Test
  void longNamesAreCutStableUniqueAndValid() {
    String a = "a".repeat(60) + "-one";
    String b = "a".repeat(60) + "-two";
    String na = ChildNames.of(a, "datagen");
    assertThat(na)
        .hasSizeLessThanOrEqualTo(ChildNames.MAX_LENGTH)
        .endsWith("-datagen")
        .matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    assertThat(ChildNames.of(a, "datagen")).as("deterministic").isEqualTo(na);
    assertThat(ChildNames.of(b, "datagen")).isNotEqualTo(na);
    assertThat(ChildNames.of("x".repeat(40) + "-" + "y".repeat(30), "hidden-states"))
        .doesNotContain("--")
        .hasSizeLessThanOrEqualTo(ChildNames.MAX_LENGTH);
  }
}
