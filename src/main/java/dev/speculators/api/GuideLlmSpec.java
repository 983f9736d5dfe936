package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * How GuideLLM drives the server. The rules are GuideLLM 0.7.3's profile schemas: throughput takes
 * one optional max concurrency, sweep one optional number of benchmarks (at least 2), concurrent
 * whole stream counts, constant and poisson requests per second, synchronous nothing; several
 * values run as sub-benchmarks only for concurrent, constant and poisson.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.profile in ['throughput', 'synchronous', 'sweep'] || has(self.rate)",
    message = "rate is required for profiles concurrent, constant and poisson",
    fieldPath = ".rate")
@ValidationRule(
    value = "self.profile != 'synchronous' || !has(self.rate)",
    message = "rate does not apply to profile synchronous",
    fieldPath = ".rate")
@ValidationRule(
    value = "!(self.profile in ['throughput', 'sweep']) || !has(self.rate) || size(self.rate) == 1",
    message =
        "throughput and sweep take a single rate (max concurrency, number of benchmarks);"
            + " GuideLLM runs several values only for concurrent, constant and poisson",
    fieldPath = ".rate")
@ValidationRule(
    value =
        "!(self.profile in ['throughput', 'sweep', 'concurrent']) || !has(self.rate)"
            + " || self.rate.all(r, double(int(r)) == r)",
    message =
        "rate must be a whole number for throughput (max concurrency), sweep (number of"
            + " benchmarks) and concurrent (streams)",
    fieldPath = ".rate")
@ValidationRule(
    value = "self.profile != 'sweep' || !has(self.rate) || self.rate.all(r, r >= 2.0)",
    message = "a sweep needs at least 2 benchmarks",
    fieldPath = ".rate")
public class GuideLlmSpec {

  @JsonPropertyDescription(
      "Load profile: throughput (default), sweep, synchronous, concurrent, constant or poisson.")
  @Default("throughput")
  public GuideLlmProfile profile = GuideLlmProfile.THROUGHPUT;

  @JsonPropertyDescription(
      "Rates for the profile: max concurrency (throughput, one value; default unlimited), the"
          + " number of benchmarks (sweep, one value of 2 or more; default 10), concurrent streams"
          + " (concurrent) or requests per second (constant, poisson); several values run one"
          + " benchmark each for concurrent, constant and poisson.")
  @Size(min = 1, max = 32) @ValidationRule(value = "self.all(r, r > 0.0)", message = "rates must be positive")
  @ValidationRule(value = "self.all(r, r <= 1000000.0)", message = "rates must be at most 1000000")
  public List<Double> rate;

  @JsonPropertyDescription("Stop after this many requests per benchmark.")
  @Min(1) public Integer maxRequests;

  @JsonPropertyDescription("Stop after this many seconds per benchmark.")
  @Min(1) public Integer maxSeconds;

  @JsonPropertyDescription(
      "Prompt column of the data files when GuideLLM does not find it under its usual names"
          + " (prompt, instruction, question, input, context, content, conversation, turn, text);"
          + " system-prompt and token-count columns are still found by their usual names. Not for"
          + " synthetic datasets, whose prompts are generated.")
  @Size(min = 1, max = 128) @Pattern("^[^.\\s]([^.]*[^.\\s])?$") public String textColumn;

  @JsonPropertyDescription(
      "Tokenizer GuideLLM counts prompt and output tokens with: a Hugging Face model id, or a path"
          + " in the eval pod (the target model's path when it is on a volume); default: the"
          + " target model.")
  @Size(min = 1, max = 512) public String processor;

  @JsonPropertyDescription(
      "Eval image with GuideLLM; default: the operator's SPECULATORS_EVAL_IMAGE.")
  @Size(min = 1, max = 512) public String image;
}
