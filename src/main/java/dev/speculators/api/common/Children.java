package dev.speculators.api.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** Names of the objects the operator created for a resource (all in its namespace). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Children {

  @JsonPropertyDescription("The workload Job.")
  public String job;

  @JsonPropertyDescription("The Job of the baseline run without speculation (SpeculatorEval).")
  public String baselineJob;

  @JsonPropertyDescription("The ConfigMap with the workload's configuration.")
  public String configMap;

  @JsonPropertyDescription("The PersistentVolumeClaim the operator created for the outputs.")
  public String persistentVolumeClaim;

  @JsonPropertyDescription(
      "The HiddenStateDataset created from dataset.template (SpeculatorTraining).")
  public String dataset;

  @JsonPropertyDescription("The SpeculatorEval created from evaluation (SpeculatorTraining).")
  public String evaluation;

  @Override
  public boolean equals(Object o) {
    return o instanceof Children c
        && Objects.equals(job, c.job)
        && Objects.equals(baselineJob, c.baselineJob)
        && Objects.equals(configMap, c.configMap)
        && Objects.equals(persistentVolumeClaim, c.persistentVolumeClaim)
        && Objects.equals(dataset, c.dataset)
        && Objects.equals(evaluation, c.evaluation);
  }

  @Override
  public int hashCode() {
    return Objects.hash(job, baselineJob, configMap, persistentVolumeClaim, dataset, evaluation);
  }
}
