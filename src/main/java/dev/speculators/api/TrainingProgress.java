package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.speculators.api.common.Progress;
import java.util.Objects;

/** Where a running training is. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrainingProgress extends Progress {

  @JsonPropertyDescription("Current epoch, counted from 1.")
  public Integer epoch;

  @JsonPropertyDescription("Number of epochs.")
  public Integer epochs;

  @JsonPropertyDescription("Optimiser step within the current epoch.")
  public Long step;

  @JsonPropertyDescription("Optimiser steps per epoch.")
  public Long stepsPerEpoch;

  @JsonPropertyDescription("Training tokens per second, as the trainer reports it.")
  public Double tokensPerSecond;

  @Override
  public boolean equals(Object o) {
    return o instanceof TrainingProgress p
        && commonEquals(p)
        && Objects.equals(epoch, p.epoch)
        && Objects.equals(epochs, p.epochs)
        && Objects.equals(step, p.step)
        && Objects.equals(stepsPerEpoch, p.stepsPerEpoch)
        && Objects.equals(tokensPerSecond, p.tokensPerSecond);
  }

  @Override
  public int hashCode() {
    return Objects.hash(commonHashCode(), epoch, epochs, step, stepsPerEpoch, tokensPerSecond);
  }
}
