package dev.speculators.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Hints for GuideLLM 0.7.3 failures, on the last lines real runs printed. */
class GuidellmRunnerTest {

  @Test
  void knownFailuresNameTheOptionToChange() {
    assertThat(
            GuidellmRunner.hint(
                List.of(
                    "      raise ValueError(",
                    "  ValueError: GenerativeColumnMapper found no matching columns. Requested"
                        + " mappings: default mappings. Every row will produce an empty result.")))
        .isEqualTo(
            "\nhint: GuideLLM found no prompt column in the data; name it with --text-column");
    assertThat(
            GuidellmRunner.hint(
                List.of("AttributeError: 'DatasetDict' object has no attribute 'info'")))
        .contains("name one with load_kwargs.split=NAME");
    assertThat(GuidellmRunner.hint(List.of("ValueError: backend validation failed"))).isEmpty();
  }
}
