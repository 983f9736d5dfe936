package dev.speculators.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.speculators.train.TrainingOptions;
import dev.speculators.train.model.Precision;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Upstream {@code train.py}'s names for what {@code train} does, and the ones it refuses. */
class TrainUpstreamFlagsTest {
  private static final Path VERIFIER =
      Path.of("src/test/resources/fixtures/speculators-data/verifier");

  private static TrainingOptions options(String... flags) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--verifier", VERIFIER.toString(), "--data-path", "data", "--save-path", "out"));
    args.addAll(List.of(flags));
    TrainCommand command = new TrainCommand();
    new CommandLine(command).parseArgs(args.toArray(String[]::new));
    return command.options();
  }

  @Test
  void upstreamNamesMeanWhatOursMean() throws Exception {
    TrainingOptions defaults = options();
    assertThat(defaults.validationRatio()).isEqualTo(0.1);
    assertThat(defaults.precision()).isNull();

    // 1 - 0.8 is 0.19999999999999996; the row split takes 1 - ratio back, exactly upstream's 0.8
    assertThat(options("--train-data-ratio", "0.8").validationRatio())
        .isCloseTo(0.2, within(1e-15));
    assertThat(1 - options("--train-data-ratio", "0.8").validationRatio()).isEqualTo(0.8);
    assertThat(options("--train-data-ratio", "1").validationRatio()).isZero();
    assertThat(options("--token-freq-path", "freq.pt").tokenFrequencies())
        .isEqualTo(Path.of("freq.pt"));
    assertThat(options("--hidden-states-dtype", "bfloat16").precision()).isEqualTo(Precision.BF16);
    assertThat(options("--hidden-states-dtype", "float32").precision()).isEqualTo(Precision.FP32);
    assertThat(options("--hidden-states-dtype", "float32", "--precision", "fp32").precision())
        .isEqualTo(Precision.FP32);
    assertThat(options("--speculator-type", "eagle3").data()).isEqualTo(Path.of("data"));
  }

  @Test
  void whatThisTrainerDoesNotDoIsRefusedByName() {
    assertThatThrownBy(() -> options("--speculator-type", "dflash"))
        .hasMessageContaining("--speculator-type dflash: this trainer trains EAGLE3 speculators");
    assertThatThrownBy(() -> options("--hidden-states-dtype", "float16"))
        .hasMessageContaining("expected bfloat16 or float32");
    assertThatThrownBy(() -> options("--hidden-states-dtype", "bfloat16", "--precision", "fp32"))
        .hasMessageContaining("differ");
    assertThatThrownBy(() -> options("--train-data-ratio", "0.9", "--validation-ratio", "0.1"))
        .hasMessageContaining("give one");
    assertThatThrownBy(() -> options("--train-data-ratio", "0"))
        .hasMessageContaining("must be in (0, 1]");
  }
}
