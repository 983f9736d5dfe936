package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import java.util.Objects;

/** What a finished HiddenStateDataset holds and where. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DatasetResults {

  @JsonPropertyDescription("PersistentVolumeClaim that holds the dataset.")
  public String claimName;

  @JsonPropertyDescription(
      "Dataset directory inside the claim: data/ (data_<i>.pt, data_config.json,"
          + " sample_lengths.json) and token_freq.pt beside it.")
  public String dataPath;

  @JsonPropertyDescription("The captured layer ids after defaulting (vLLM semantics).")
  public List<Integer> resolvedLayerIds;

  @JsonPropertyDescription("Hidden size of the target model.")
  public Integer hiddenSize;

  @JsonPropertyDescription("Vocabulary size of the target model.")
  public Integer targetVocabSize;

  @JsonPropertyDescription(
      "The content hash of what the dataset contains (the request that generated it), as in"
          + " data_config.json: an equal dataset reuses this one's volume.")
  public String contentHash;

  @JsonPropertyDescription("Number of samples.")
  public Long samples;

  @JsonPropertyDescription("Number of tokens over all samples.")
  public Long tokens;

  @JsonPropertyDescription(
      "Set when a worker's summary (its termination message) cannot be read, and why: its pod was"
          + " deleted, or the message is empty or truncated. The numbers that come from the summary"
          + " are then unset; paths on the volume are still given.")
  public String missingSummary;

  @Override
  public boolean equals(Object o) {
    return o instanceof DatasetResults r
        && Objects.equals(claimName, r.claimName)
        && Objects.equals(dataPath, r.dataPath)
        && Objects.equals(resolvedLayerIds, r.resolvedLayerIds)
        && Objects.equals(hiddenSize, r.hiddenSize)
        && Objects.equals(targetVocabSize, r.targetVocabSize)
        && Objects.equals(contentHash, r.contentHash)
        && Objects.equals(samples, r.samples)
        && Objects.equals(tokens, r.tokens)
        && Objects.equals(missingSummary, r.missingSummary);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        claimName,
        dataPath,
        resolvedLayerIds,
        hiddenSize,
        targetVocabSize,
        contentHash,
        samples,
        tokens,
        missingSummary);
  }
}
