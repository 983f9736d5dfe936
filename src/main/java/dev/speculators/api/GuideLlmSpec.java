package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** How GuideLLM drives the server. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.profile in ['throughput', 'synchronous', 'sweep'] || has(self.rate)",
    message = "rate is required for profiles concurrent, constant and poisson",
    fieldPath = ".rate")
@ValidationRule(
    value = "!(self.profile in ['throughput', 'synchronous']) || !has(self.rate)",
    message = "rate does not apply to profiles throughput and synchronous",
    fieldPath = ".rate")
public class GuideLlmSpec {

  @JsonPropertyDescription(
      "Load profile: throughput (default), sweep, synchronous, concurrent, constant or poisson.")
  @Default("throughput")
  public GuideLlmProfile profile = GuideLlmProfile.THROUGHPUT;

  @JsonPropertyDescription(
      "Rates for the profile: concurrent streams (concurrent), requests per second (constant,"
          + " poisson) or the number of sweep points (sweep).")
  @Size(min = 1, max = 32) @ValidationRule(value = "self.all(r, r > 0.0)", message = "rates must be positive")
  public List<Double> rate;

  @JsonPropertyDescription("Stop after this many requests per benchmark.")
  @Min(1) public Integer maxRequests;

  @JsonPropertyDescription("Stop after this many seconds per benchmark.")
  @Min(1) public Integer maxSeconds;

  @JsonPropertyDescription(
      "Eval image with GuideLLM; default: the operator's SPECULATORS_EVAL_IMAGE.")
  @Size(min = 1, max = 512) public String image;
}
