package dev.speculators.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.speculators.api.common.Usage;
import dev.speculators.io.ProgressLine;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ETA hysteresis and rate formatting; GPU-seconds that move in bounded steps. */
class ProgressRatesTest {
  private static final Instant NOW = Instant.parse("2026-03-01T10:00:20Z");

  @Test
  void theEtaIsAnAbsoluteTimeRoundedUpToTheMinute() {
    assertThat(ProgressRates.eta(null, NOW, 3600.0)).isEqualTo("2026-03-01T11:01:00Z");
    assertThat(ProgressRates.eta(null, NOW, null)).isNull();
    assertThat(ProgressRates.eta(null, NOW, Double.NaN)).isNull();
  }

  @Test
  void theEtaMovesOnlyWhenTheEstimateShiftsBeyondTheTolerance() {
    String eta = ProgressRates.eta(null, NOW, 3600.0);
    // a minute later the same remaining time would move it by a minute: within 5 % of an hour
    assertThat(ProgressRates.eta(eta, NOW.plusSeconds(60), 3600.0)).isEqualTo(eta);
    assertThat(ProgressRates.eta(eta, NOW.plusSeconds(120), 3500.0)).isEqualTo(eta);
    // ten minutes later than written: beyond 5 % (3 minutes) of what remains
    assertThat(ProgressRates.eta(eta, NOW, 4200.0)).isEqualTo("2026-03-01T11:11:00Z");
    // near the end the tolerance is a minute
    String soon = ProgressRates.eta(null, NOW, 120.0);
    assertThat(ProgressRates.eta(soon, NOW.plusSeconds(30), 120.0)).isEqualTo(soon);
    assertThat(ProgressRates.eta(soon, NOW, 300.0)).isNotEqualTo(soon);
  }

  @Test
  void ratesHaveThreeSignificantDigits() {
    assertThat(ProgressRates.rate(41.234, "samples")).isEqualTo("41.2 samples/s");
    assertThat(ProgressRates.rate(52_149, "tokens")).isEqualTo("52.1k tokens/s");
    assertThat(ProgressRates.rate(1_234_567, "tokens")).isEqualTo("1.23M tokens/s");
    assertThat(ProgressRates.rate(0.123456, "samples")).isEqualTo("0.123 samples/s");
    assertThat(ProgressRates.rate(5, "samples")).isEqualTo("5 samples/s");
    assertThat(ProgressLine.round3(0.0123456)).isEqualTo(0.0123);
  }

  @Test
  void gpuSecondsGrowInStepsOfAMinuteAndAreExactAtTheEnd() {
    Usage u = UsageAccounting.next(null, "Generating", 0, Map.of(), false);
    assertThat(u).as("nothing used yet").isNull();
    u = UsageAccounting.next(null, "Generating", 59.9, Map.of(), false);
    assertThat(u).isNull();
    u = UsageAccounting.next(null, "Generating", 61, Map.of(), false);
    assertThat(u.gpuSeconds).isEqualTo(61);
    assertThat(UsageAccounting.next(u, "Generating", 100, Map.of(), false)).isSameAs(u);
    Usage done = UsageAccounting.next(u, "Generating", 100.7, Map.of(), true);
    assertThat(done.gpuSeconds).isEqualTo(100);
    // pods deleted after the Job finished: the number stays
    assertThat(UsageAccounting.next(done, "Generating", 0, Map.of(), true)).isSameAs(done);
    // a training adds what its dataset and evaluation report
    Usage training =
        UsageAccounting.next(
            null, "Training", 3600, Map.of("Generating", 7200L, "Evaluating", 900L), false);
    assertThat(training.gpuSeconds).isEqualTo(11_700);
    assertThat(training.phases)
        .containsEntry("Generating", 7200L)
        .containsEntry("Training", 3600L)
        .containsEntry("Evaluating", 900L);
  }
}
