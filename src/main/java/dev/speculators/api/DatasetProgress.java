package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.speculators.api.common.Progress;
import java.util.Objects;

/** Progress of hidden-state generation, summed over shards. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DatasetProgress extends Progress {

  @JsonPropertyDescription("Number of shards.")
  public Integer shardsTotal;

  @JsonPropertyDescription("Shards that finished successfully.")
  public Integer shardsSucceeded;

  @JsonPropertyDescription("Shards that failed.")
  public Integer shardsFailed;

  @JsonPropertyDescription("Samples written.")
  public Long samples;

  @JsonPropertyDescription("Tokens in the samples written.")
  public Long tokens;

  @JsonPropertyDescription("Bytes written.")
  public Long bytes;

  @JsonPropertyDescription("Conversations skipped because they could not be processed.")
  public Long failedSamples;

  @JsonPropertyDescription("Samples written per second, summed over the running shards.")
  public Double samplesPerSecond;

  @JsonPropertyDescription("Tokens written per second, summed over the running shards.")
  public Double tokensPerSecond;

  @Override
  public boolean equals(Object o) {
    return o instanceof DatasetProgress p
        && commonEquals(p)
        && Objects.equals(shardsTotal, p.shardsTotal)
        && Objects.equals(shardsSucceeded, p.shardsSucceeded)
        && Objects.equals(shardsFailed, p.shardsFailed)
        && Objects.equals(samples, p.samples)
        && Objects.equals(tokens, p.tokens)
        && Objects.equals(bytes, p.bytes)
        && Objects.equals(failedSamples, p.failedSamples)
        && Objects.equals(samplesPerSecond, p.samplesPerSecond)
        && Objects.equals(tokensPerSecond, p.tokensPerSecond);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        commonHashCode(),
        shardsTotal,
        shardsSucceeded,
        shardsFailed,
        samples,
        tokens,
        bytes,
        failedSamples,
        samplesPerSecond,
        tokensPerSecond);
  }
}
