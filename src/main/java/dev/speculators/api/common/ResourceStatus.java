package dev.speculators.api.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The part of the status every resource has. Kind-specific statuses add {@code phase}, {@code
 * progress} and {@code results}. Times are RFC 3339 strings, as in Kubernetes' own types.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public abstract class ResourceStatus {

  @JsonPropertyDescription("metadata.generation of the spec this status describes.")
  public Long observedGeneration;

  @JsonPropertyDescription(
      "Conditions in metav1.Condition shape: Ready, Progressing, Failed or Stalled, with reason"
          + " and message.")
  public List<Condition> conditions;

  @JsonPropertyDescription("When the work started (RFC 3339).")
  public String startTime;

  @JsonPropertyDescription("When the work finished, successfully or not (RFC 3339).")
  public String completionTime;

  @JsonPropertyDescription(
      "When the resource entered its current phase (RFC 3339); the operator's phase-duration"
          + " metrics are measured from it.")
  public String lastPhaseTransitionTime;

  @JsonPropertyDescription("A human-readable account of the current state.")
  public String message;

  @JsonPropertyDescription("Objects the operator created for this resource.")
  public Children children;

  @JsonPropertyDescription("GPU-seconds spent on this resource, in total and per phase.")
  public Usage usage;

  /** The condition of the given type, if present. */
  public Optional<Condition> condition(String type) {
    return conditions == null
        ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  /** The conditions list, created when absent, for code that edits it. */
  public List<Condition> mutableConditions() {
    if (conditions == null) {
      conditions = new ArrayList<>();
    }
    return conditions;
  }

  /** Compares the shared fields; subclasses add theirs. */
  protected boolean commonEquals(ResourceStatus s) {
    return Objects.equals(observedGeneration, s.observedGeneration)
        && Objects.equals(conditions, s.conditions)
        && Objects.equals(startTime, s.startTime)
        && Objects.equals(completionTime, s.completionTime)
        && Objects.equals(lastPhaseTransitionTime, s.lastPhaseTransitionTime)
        && Objects.equals(message, s.message)
        && Objects.equals(children, s.children)
        && Objects.equals(usage, s.usage);
  }

  /** Hash of the shared fields; subclasses mix in theirs. */
  protected int commonHashCode() {
    return Objects.hash(
        observedGeneration,
        conditions,
        startTime,
        completionTime,
        lastPhaseTransitionTime,
        message,
        children,
        usage);
  }
}
