package dev.speculators.operator.runtime;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetricsV2;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Reconciliation metrics on {@code /q/metrics}. The Quarkus operator extension binds them in tests
 * but leaves them as no-ops in the packaged application; producing the Metrics bean here makes the
 * packaged operator report {@code reconciliations_*} series per controller.
 */
@Singleton
public class OperatorMetricsProducer {

  @Produces
  @Singleton
  Metrics josdkMetrics(MeterRegistry registry) {
    return MicrometerMetricsV2.newBuilder(registry).build();
  }
}
