package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Sampling parameters of benchmark requests; unset fields come from the preset or the defaults. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SamplingSpec {

  /** Default temperature of the upstream evaluation. */
  public static final double DEFAULT_TEMPERATURE = 0.6;

  /** Default nucleus-sampling threshold of the upstream evaluation. */
  public static final double DEFAULT_TOP_P = 0.95;

  /** Default top-k of the upstream evaluation. */
  public static final int DEFAULT_TOP_K = 20;

  @JsonPropertyDescription("Sampling temperature (default 0.6; 0 is greedy).")
  @Min(0) @Max(10) public Double temperature;

  @JsonPropertyDescription("Nucleus sampling threshold in (0, 1] (default 0.95).")
  @Min(value = 0, inclusive = false) @Max(1) public Double topP;

  @JsonPropertyDescription("Top-k sampling (default 20; -1 disables).")
  @Min(-1) @Max(1000000) public Integer topK;

  public SamplingSpec() {}

  public SamplingSpec(Double temperature, Double topP, Integer topK) {
    this.temperature = temperature;
    this.topP = topP;
    this.topK = topK;
  }
}
