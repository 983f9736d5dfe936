package dev.speculators.eval;

import java.util.Map;

/** One sample of a Prometheus text exposition: metric name, labels, value. */
public record PrometheusSample(String name, Map<String, String> labels, double value) {
  public PrometheusSample {
    labels = Map.copyOf(labels);
  }
}
