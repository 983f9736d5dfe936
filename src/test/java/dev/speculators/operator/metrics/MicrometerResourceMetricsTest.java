package dev.speculators.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.speculators.operator.metrics.ResourceMetrics.Tracked;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MicrometerResourceMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final MicrometerResourceMetrics metrics = new MicrometerResourceMetrics(registry);
  private final List<Tracked> datasets = new ArrayList<>();

  private double gauge(String kind, String phase) {
    return registry
        .get(MicrometerResourceMetrics.RESOURCES)
        .tags("kind", kind, "phase", phase)
        .gauge()
        .value();
  }

  @Test
  void resourcesPerPhaseAreReadFromTheSourceAtEveryScrape() {
    metrics.trackKind(
        "HiddenStateDataset",
        List.of("Pending", "Generating", "Succeeded", "Failed"),
        () -> List.copyOf(datasets));
    datasets.add(new Tracked("a", "d1", "Generating"));
    datasets.add(new Tracked("a", "d2", "Generating"));
    datasets.add(new Tracked("b", "d3", null));
    assertThat(gauge("HiddenStateDataset", "Generating")).isEqualTo(2);
    assertThat(gauge("HiddenStateDataset", "Failed")).as("empty phases read 0").isZero();
    datasets.remove(0);
    assertThat(gauge("HiddenStateDataset", "Generating")).isEqualTo(1);

    // a restarted controller hands over a new source; the gauges read it
    metrics.trackKind(
        "HiddenStateDataset",
        List.of("Pending", "Generating", "Succeeded", "Failed"),
        () -> List.of(new Tracked("a", "d9", "Succeeded")));
    assertThat(gauge("HiddenStateDataset", "Generating")).isZero();
    assertThat(gauge("HiddenStateDataset", "Succeeded")).isEqualTo(1);
  }

  @Test
  void aNewInstanceOnTheSameRegistryTakesTheGaugesOver() {
    metrics.trackKind(
        "SpeculatorEval", List.of("Running"), () -> List.of(new Tracked("a", "old", "Running")));
    MicrometerResourceMetrics restarted = new MicrometerResourceMetrics(registry);
    restarted.trackKind(
        "SpeculatorEval",
        List.of("Running"),
        () -> List.of(new Tracked("a", "e1", "Running"), new Tracked("a", "e2", "Running")));
    assertThat(gauge("SpeculatorEval", "Running")).isEqualTo(2);
  }

  @Test
  void phaseDurationsGoIntoAHistogramPerKindAndPhase() {
    metrics.phaseLeft("SpeculatorTraining", "Training", Duration.ofMinutes(45));
    metrics.phaseLeft("SpeculatorTraining", "Training", Duration.ofHours(3));
    metrics.phaseLeft("SpeculatorTraining", "Pending", Duration.ofSeconds(4));
    metrics.phaseLeft(
        "SpeculatorTraining", "Pending", Duration.ofSeconds(-3)); // clock skew: ignored
    Timer training =
        registry
            .get(MicrometerResourceMetrics.PHASE_DURATION)
            .tags("kind", "SpeculatorTraining", "phase", "Training")
            .timer();
    assertThat(training.count()).isEqualTo(2);
    assertThat(training.totalTime(TimeUnit.MINUTES)).isEqualTo(225.0);
    CountAtBucket[] buckets = training.takeSnapshot().histogramCounts();
    assertThat(
            Arrays.stream(buckets)
                .filter(b -> b.bucket(TimeUnit.HOURS) == 1.0)
                .findFirst()
                .orElseThrow()
                .count())
        .as("45 min are within the 1 h bucket")
        .isEqualTo(1);
    assertThat(
            Arrays.stream(buckets)
                .filter(b -> b.bucket(TimeUnit.HOURS) == 4.0)
                .findFirst()
                .orElseThrow()
                .count())
        .isEqualTo(2);
    assertThat(
            registry
                .get(MicrometerResourceMetrics.PHASE_DURATION)
                .tags("kind", "SpeculatorTraining", "phase", "Pending")
                .timer()
                .count())
        .isEqualTo(1);
  }

  @Test
  void gpuSecondsOnlyGrowAndDeletedResourcesLoseTheirSeries() {
    List<Tracked> evals =
        new ArrayList<>(
            List.of(new Tracked("ns", "e1", "Running"), new Tracked("ns", "e2", "Running")));
    metrics.trackKind("SpeculatorEval", List.of("Running"), () -> List.copyOf(evals));
    metrics.gpuSeconds("SpeculatorEval", "ns", "e1", 100);
    metrics.gpuSeconds("SpeculatorEval", "ns", "e1", 250);
    metrics.gpuSeconds("SpeculatorEval", "ns", "e1", 40); // pods gone: never decreases
    metrics.gpuSeconds("SpeculatorEval", "ns", "e2", 0); // CPU only: no series
    assertThat(
            registry
                .get(MicrometerResourceMetrics.GPU_SECONDS)
                .tags("kind", "SpeculatorEval", "namespace", "ns", "name", "e1")
                .counter()
                .count())
        .isEqualTo(250);
    assertThat(registry.find(MicrometerResourceMetrics.GPU_SECONDS).tags("name", "e2").counter())
        .isNull();

    evals.remove(0);
    metrics.gpuSeconds("SpeculatorEval", "ns", "e2", 10);
    assertThat(registry.find(MicrometerResourceMetrics.GPU_SECONDS).tags("name", "e1").counter())
        .as("e1 was deleted")
        .isNull();
    assertThat(
            registry
                .get(MicrometerResourceMetrics.GPU_SECONDS)
                .tags("name", "e2")
                .counter()
                .count())
        .isEqualTo(10);
  }

  @Test
  void errorsAndWarningsAreCountedPerKindAndReason() {
    metrics.reconcileFailed("SpeculatorEval", "Forbidden");
    metrics.reconcileFailed("SpeculatorEval", "Forbidden");
    metrics.warningRecorded("SpeculatorEval", "Unschedulable");
    assertThat(
            registry
                .get(MicrometerResourceMetrics.RECONCILE_ERRORS)
                .tags("kind", "SpeculatorEval", "reason", "Forbidden")
                .counter()
                .count())
        .isEqualTo(2);
    assertThat(
            registry
                .get(MicrometerResourceMetrics.WARNINGS)
                .tags("kind", "SpeculatorEval", "reason", "Unschedulable")
                .counter()
                .count())
        .isEqualTo(1);
  }
}
