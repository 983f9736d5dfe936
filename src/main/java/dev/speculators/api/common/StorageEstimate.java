package dev.speculators.api.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** The storage pre-flight: what the work will write, against what its volume holds. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StorageEstimate {

  @JsonPropertyDescription("Estimated bytes the work writes.")
  public Long estimatedBytes;

  @JsonPropertyDescription("Bytes the volume holds (its requested size, or its free space).")
  public Long availableBytes;

  @JsonPropertyDescription(
      "Fits, Close (less than 10 % stays free: a warning), TooSmall (refused), or TooSmallAtCap"
          + " (too small only if every sample filled the sequence length: a warning; the data"
          + " generator measures real lengths before it writes).")
  public String verdict;

  @JsonPropertyDescription(
      "How the estimate was made, e.g. '5000 samples × mean 812 tokens × 4 layers × hidden size"
          + " 4096 in bf16'.")
  public String basis;

  @JsonPropertyDescription("The size to ask for: the estimate plus 20 %, in whole Gi.")
  public String suggestedSize;

  @JsonPropertyDescription(
      "Who checked: operator (before any Job), pod (the pre-flight init container, before vLLM"
          + " starts) or worker (after planning, before the first sample).")
  public String checkedBy;

  @Override
  public boolean equals(Object o) {
    return o instanceof StorageEstimate s
        && Objects.equals(estimatedBytes, s.estimatedBytes)
        && Objects.equals(availableBytes, s.availableBytes)
        && Objects.equals(verdict, s.verdict)
        && Objects.equals(basis, s.basis)
        && Objects.equals(suggestedSize, s.suggestedSize)
        && Objects.equals(checkedBy, s.checkedBy);
  }

  @Override
  public int hashCode() {
    return Objects.hash(estimatedBytes, availableBytes, verdict, basis, suggestedSize, checkedBy);
  }
}
