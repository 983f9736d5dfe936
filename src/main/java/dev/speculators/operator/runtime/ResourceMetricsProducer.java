package dev.speculators.operator.runtime;

import dev.speculators.operator.metrics.MicrometerResourceMetrics;
import dev.speculators.operator.metrics.ResourceMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The controllers' resource metrics, in the application's Micrometer registry ({@code /q/metrics}).
 */
@Singleton
public class ResourceMetricsProducer {

  @Produces
  @Singleton
  ResourceMetrics resourceMetrics(MeterRegistry registry) {
    return new MicrometerResourceMetrics(registry);
  }
}
