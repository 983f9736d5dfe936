package dev.speculators.operator.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The resource metrics as Micrometer meters (Prometheus names in brackets):
 *
 * <ul>
 *   <li>{@value #RESOURCES} gauge per kind and phase [{@code speculators_resources}];
 *   <li>{@value #PHASE_DURATION} timer per kind and phase, a histogram with buckets from 10 s to 2
 *       days [{@code speculators_phase_duration_seconds_bucket|_count|_sum|_max}];
 *   <li>{@value #GPU_SECONDS} counter per kind, namespace and name, for resources whose pods hold
 *       GPUs [{@code speculators_gpu_seconds_total}]; the series of a deleted resource is removed
 *       at the next reconciliation of its kind, which bounds the series by the resources that
 *       exist;
 *   <li>{@value #RECONCILE_ERRORS} counter per kind and error reason [{@code
 *       speculators_reconcile_errors_total}];
 *   <li>{@value #WARNINGS} counter per kind and reason of the Warning Events the operator records
 *       [{@code speculators_resource_warnings_total}].
 * </ul>
 */
public final class MicrometerResourceMetrics implements ResourceMetrics {
  public static final String RESOURCES = "speculators.resources";
  public static final String PHASE_DURATION = "speculators.phase.duration";
  public static final String GPU_SECONDS = "speculators.gpu.seconds";
  public static final String RECONCILE_ERRORS = "speculators.reconcile.errors";
  public static final String WARNINGS = "speculators.resource.warnings";

  /** Histogram buckets of the phase durations: minutes for pods starting, days for training. */
  private static final Duration[] PHASE_BUCKETS = {
    Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2),
    Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(30), Duration.ofHours(1),
    Duration.ofHours(2), Duration.ofHours(4), Duration.ofHours(8), Duration.ofHours(16),
    Duration.ofDays(1), Duration.ofDays(2)
  };

  private final MeterRegistry registry;

  /** Per kind: where its resources are read (replaced when a controller starts again). */
  private final Map<String, Supplier<List<Tracked>>> kinds = new ConcurrentHashMap<>();

  /** GPU-seconds counted so far per series, so that a counter only ever grows by the difference. */
  private final Map<GpuSeries, Double> gpuCounted = new ConcurrentHashMap<>();

  /** Gauges registered so far ("kind/phase"): each once, reading {@link #kinds}. */
  private final Set<String> gauges = ConcurrentHashMap.newKeySet();

  private record GpuSeries(String kind, String namespace, String name) {}

  public MicrometerResourceMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void trackKind(String kind, List<String> phases, Supplier<List<Tracked>> resources) {
    kinds.put(kind, resources);
    for (String phase : phases) {
      if (!gauges.add(kind + "/" + phase)) {
        continue;
      }
      // A gauge left in the registry by an earlier instance (an application restarted in the same
      // JVM shares the registry) would keep reading that instance's resources: replace it.
      Gauge stale = registry.find(RESOURCES).tags("kind", kind, "phase", phase).gauge();
      if (stale != null) {
        registry.remove(stale);
      }
      Gauge.builder(RESOURCES, () -> count(kind, phase))
          .description("Resources of the kind in the phase")
          .tags("kind", kind, "phase", phase)
          .register(registry);
    }
  }

  private double count(String kind, String phase) {
    Supplier<List<Tracked>> source = kinds.get(kind);
    return source == null ? 0 : source.get().stream().filter(t -> phase.equals(t.phase())).count();
  }

  @Override
  public void phaseLeft(String kind, String phase, Duration time) {
    if (time.isNegative()) {
      return; // clock skew between the API server's and the operator's timestamps
    }
    Timer.builder(PHASE_DURATION)
        .description("Time resources spent in a phase, observed when they leave it")
        .tags("kind", kind, "phase", phase)
        .serviceLevelObjectives(PHASE_BUCKETS)
        .register(registry)
        .record(time);
  }

  @Override
  public void gpuSeconds(String kind, String namespace, String name, double total) {
    removeDeleted(kind);
    if (!(total > 0)) {
      return;
    }
    GpuSeries series = new GpuSeries(kind, namespace, name);
    double counted = gpuCounted.getOrDefault(series, 0.0);
    if (total > counted) {
      gpuCounter(series).increment(total - counted);
      gpuCounted.put(series, total);
    }
  }

  private Counter gpuCounter(GpuSeries s) {
    return Counter.builder(GPU_SECONDS)
        .description("GPUs times the running time of the resource's pods")
        .baseUnit("seconds")
        .tags(gpuTags(s))
        .register(registry);
  }

  private static Tags gpuTags(GpuSeries s) {
    return Tags.of("kind", s.kind(), "namespace", s.namespace(), "name", s.name());
  }

  /** Drops the GPU series of resources of {@code kind} that no longer exist. */
  private void removeDeleted(String kind) {
    Supplier<List<Tracked>> source = kinds.get(kind);
    if (source == null) {
      return;
    }
    Set<GpuSeries> present = new HashSet<>();
    source.get().forEach(t -> present.add(new GpuSeries(kind, t.namespace(), t.name())));
    gpuCounted
        .keySet()
        .removeIf(
            s -> {
              if (!s.kind().equals(kind) || present.contains(s)) {
                return false;
              }
              var meter = registry.find(GPU_SECONDS).tags(gpuTags(s)).counter();
              if (meter != null) {
                registry.remove(meter);
              }
              return true;
            });
  }

  @Override
  public void reconcileFailed(String kind, String reason) {
    Counter.builder(RECONCILE_ERRORS)
        .description("Reconciliations that failed, per error reason")
        .tags("kind", kind, "reason", Objects.requireNonNullElse(reason, "Unknown"))
        .register(registry)
        .increment();
  }

  @Override
  public void warningRecorded(String kind, String reason) {
    Counter.builder(WARNINGS)
        .description("Warning Events the operator recorded: a resource stalled or failed")
        .tags("kind", kind, "reason", reason)
        .register(registry)
        .increment();
  }
}
