package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.speculators.api.common.Progress;
import java.util.Objects;

/** How many benchmark datasets are done. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EvalProgress extends Progress {

  @JsonPropertyDescription("Benchmarks to run (datasets, plus baselines).")
  public Integer benchmarksTotal;

  @JsonPropertyDescription("Benchmarks finished.")
  public Integer benchmarksCompleted;

  @Override
  public boolean equals(Object o) {
    return o instanceof EvalProgress p
        && commonEquals(p)
        && Objects.equals(benchmarksTotal, p.benchmarksTotal)
        && Objects.equals(benchmarksCompleted, p.benchmarksCompleted);
  }

  @Override
  public int hashCode() {
    return Objects.hash(commonHashCode(), benchmarksTotal, benchmarksCompleted);
  }
}
