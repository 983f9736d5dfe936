package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.speculators.api.common.ResourceStatus;
import java.util.Objects;

/** Observed state of a SpeculatorEval. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SpeculatorEvalStatus extends ResourceStatus {

  @JsonPropertyDescription("Pending, Running, Succeeded or Failed.")
  public EvalPhase phase;

  @JsonPropertyDescription("Benchmarks done so far.")
  public EvalProgress progress;

  @JsonPropertyDescription("Acceptance and throughput.")
  public EvalResults results;

  @Override
  public boolean equals(Object o) {
    return o instanceof SpeculatorEvalStatus s
        && commonEquals(s)
        && phase == s.phase
        && Objects.equals(progress, s.progress)
        && Objects.equals(results, s.results);
  }

  @Override
  public int hashCode() {
    return Objects.hash(commonHashCode(), phase, progress, results);
  }
}
