package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** Optimisation hyper-parameters of a SpeculatorTraining. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!(has(self.warmupSteps) && has(self.warmupRatio))",
    message = "warmupSteps and warmupRatio are mutually exclusive")
@ValidationRule(
    value = "self.validationRatio >= 0.0 && self.validationRatio < 1.0",
    message = "validationRatio must be in [0, 1)",
    fieldPath = ".validationRatio")
@ValidationRule(
    value = "!has(self.warmupRatio) || (self.warmupRatio >= 0.0 && self.warmupRatio < 1.0)",
    message = "warmupRatio must be in [0, 1)",
    fieldPath = ".warmupRatio")
public class TrainingParameters {

  /** Warm-up share of all steps when neither warmupSteps nor warmupRatio is set (upstream: 1%). */
  public static final double DEFAULT_WARMUP_RATIO = 0.01;

  @JsonPropertyDescription("Passes over the training data.")
  @Default("10")
  @Min(1) @Max(1000) public Integer epochs = 10;

  @JsonPropertyDescription("Peak learning rate of AdamW.")
  @Default("0.0001")
  @Min(value = 0, inclusive = false) @Max(1) public Double learningRate = 1e-4;

  @JsonPropertyDescription("AdamW weight decay.")
  @Default("0.01")
  @Min(0) @Max(1) public Double weightDecay = 0.01;

  @JsonPropertyDescription("Schedule after warm-up: linear (default), cosine or none.")
  @Default("linear")
  public LrScheduler scheduler = LrScheduler.LINEAR;

  @JsonPropertyDescription("Warm-up steps; exclusive with warmupRatio. Default: 1% of all steps.")
  @Min(0) public Long warmupSteps;

  @JsonPropertyDescription(
      "Warm-up as a share of all steps, in [0, 1); exclusive with warmupSteps.")
  public Double warmupRatio;

  @JsonPropertyDescription("Length of a packed training row in tokens.")
  @Default("8192")
  @Min(16) @Max(1048576) public Integer maxSequenceLength = 8192;

  @JsonPropertyDescription("Half-width of the uniform noise added to hidden states (0 disables).")
  @Default("0.05")
  @Min(0) @Max(10) public Double noiseStd = 0.05;

  @JsonPropertyDescription("Maximum gradient norm (0 disables clipping).")
  @Default("1.0")
  @Min(0) public Double gradClip = 1.0;

  @JsonPropertyDescription("Seed of initialisation, shuffling and noise.")
  @Default("0")
  @Min(0) public Long seed = 0L;

  @JsonPropertyDescription("Share of samples held out for validation, in [0, 1).")
  @Default("0.1")
  public Double validationRatio = 0.1;

  @JsonPropertyDescription(
      "Compute precision: bf16 (bf16 matrix products and attention with float32 master weights,"
          + " optimizer state, norms and loss, as torch.autocast) or fp32 (TF32 matrix products on"
          + " GPUs). Default: bf16 on a GPU, fp32 on a CPU.")
  public TrainingPrecision precision;

  @JsonPropertyDescription("Log (and report progress) every this many optimiser steps.")
  @Default("10")
  @Min(1) public Integer logEverySteps = 10;

  /** Warm-up steps for a run of {@code totalSteps}, with the default applied. */
  public long resolvedWarmupSteps(long totalSteps) {
    if (warmupSteps != null) {
      return warmupSteps;
    }
    double ratio = warmupRatio != null ? warmupRatio : DEFAULT_WARMUP_RATIO;
    return (long) Math.floor(ratio * totalSteps);
  }
}
