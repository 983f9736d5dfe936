package dev.speculators.operator.metrics;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * What the controllers report about the resources they reconcile. Every method has a no-op default,
 * so that tests and tools run the controllers without a metrics registry ({@link #NOOP}).
 */
public interface ResourceMetrics {

  /** Reports nothing. */
  ResourceMetrics NOOP = new ResourceMetrics() {};

  /**
   * One resource as the metrics see it.
   *
   * @param namespace its namespace
   * @param name its name
   * @param phase its phase, or null before the operator wrote one
   */
  record Tracked(String namespace, String name, String phase) {}

  /**
   * Starts counting the resources of {@code kind} per phase. {@code resources} is read at every
   * scrape (the controller's informer cache), so deletions show without bookkeeping.
   *
   * @param kind the resource kind
   * @param phases every phase of the kind, so that empty phases read 0 rather than missing
   * @param resources the resources of the kind as they are now
   */
  default void trackKind(String kind, List<String> phases, Supplier<List<Tracked>> resources) {}

  /** A resource of {@code kind} left {@code phase} after {@code time} in it. */
  default void phaseLeft(String kind, String phase, Duration time) {}

  /**
   * The GPU-seconds a resource's pods have used so far (GPUs × running time, over its pods). The
   * value only grows; a smaller one (pods gone) is ignored.
   */
  default void gpuSeconds(String kind, String namespace, String name, double total) {}

  /**
   * A reconciliation of a {@code kind} resource failed with an error classified as {@code reason}.
   */
  default void reconcileFailed(String kind, String reason) {}

  /** The operator recorded a Warning Event on a {@code kind} resource (it stalled or failed). */
  default void warningRecorded(String kind, String reason) {}
}
