package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import java.util.Objects;

/** Metrics of the best epoch and where the speculator was written. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrainingResults {

  @JsonPropertyDescription("Training loss (weighted over TTT steps) of the last epoch.")
  public Double trainLoss;

  @JsonPropertyDescription("Validation loss of the best epoch.")
  public Double valLoss;

  @JsonPropertyDescription(
      "Validation full accuracy per TTT step: the share of positions whose first k+1 drafted"
          + " tokens are all correct.")
  public List<Double> fullAcc;

  @JsonPropertyDescription(
      "Validation conditional accuracy per TTT step: step k correct given steps 0..k-1 correct.")
  public List<Double> condAcc;

  @JsonPropertyDescription(
      "Epoch with the lowest validation loss, counted from 0 like the checkpoint folders: final/"
          + " is a copy of checkpoints/<bestEpoch>/. Progress and logs count epochs from 1, so"
          + " bestEpoch 0 is the epoch logged as 'epoch 1/N'.")
  public Integer bestEpoch;

  @JsonPropertyDescription("PersistentVolumeClaim holding checkpoints and the speculator.")
  public String claimName;

  @JsonPropertyDescription("Directory of the newest complete checkpoint inside the claim.")
  public String checkpointPath;

  @JsonPropertyDescription(
      "Directory of the final speculator inside the claim (config.json + model.safetensors,"
          + " loadable by vLLM).")
  public String finalPath;

  @JsonPropertyDescription("Mean acceptance length measured by the evaluation, if any.")
  public Double meanAcceptanceLength;

  @JsonPropertyDescription(
      "max_position_embeddings of the exported speculator (the verifier's): the longest"
          + " max_model_len vLLM accepts for it.")
  public Integer maxPositionEmbeddings;

  @JsonPropertyDescription(
      "Set when a worker's summary (its termination message) cannot be read, and why: its pod was"
          + " deleted, or the message is empty or truncated. The numbers that come from the summary"
          + " are then unset; paths on the volume are still given.")
  public String missingSummary;

  @Override
  public boolean equals(Object o) {
    return o instanceof TrainingResults r
        && Objects.equals(trainLoss, r.trainLoss)
        && Objects.equals(valLoss, r.valLoss)
        && Objects.equals(fullAcc, r.fullAcc)
        && Objects.equals(condAcc, r.condAcc)
        && Objects.equals(bestEpoch, r.bestEpoch)
        && Objects.equals(claimName, r.claimName)
        && Objects.equals(checkpointPath, r.checkpointPath)
        && Objects.equals(finalPath, r.finalPath)
        && Objects.equals(meanAcceptanceLength, r.meanAcceptanceLength)
        && Objects.equals(maxPositionEmbeddings, r.maxPositionEmbeddings)
        && Objects.equals(missingSummary, r.missingSummary);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        trainLoss,
        valLoss,
        fullAcc,
        condAcc,
        bestEpoch,
        claimName,
        checkpointPath,
        finalPath,
        meanAcceptanceLength,
        maxPositionEmbeddings,
        missingSummary);
  }
}
