/**
 * The operator's own metrics on {@code /q/metrics}, next to the reconciliation metrics of the
 * operator framework: resources per phase, time spent in each phase, GPU-seconds per resource,
 * reconciliation errors and the warnings the operator reports. The controllers report through
 * {@link dev.speculators.operator.metrics.ResourceMetrics}; the Micrometer implementation turns
 * that into Prometheus series.
 */
package dev.speculators.operator.metrics;
