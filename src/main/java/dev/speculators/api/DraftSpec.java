package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** The EAGLE3 draft model and its training-time test (TTT). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DraftSpec {

  @JsonPropertyDescription("Decoder layers of the draft model.")
  @Default("1")
  @Min(1) @Max(8) public Integer numLayers = 1;

  @JsonPropertyDescription(
      "Size of the reduced draft vocabulary (the most frequent target tokens). Equal to the"
          + " target vocabulary size: full vocabulary, no mapping.")
  @Default("32000")
  @Min(1) @Max(16777216) public Integer draftVocabSize = 32000;

  @JsonPropertyDescription("Apply the hidden-state norm before the residual connection.")
  @Default("true")
  public Boolean normBeforeResidual = true;

  @JsonPropertyDescription("Training-time-test steps: tokens drafted per position during training.")
  @Default("3")
  @Min(1) @Max(10) public Integer tttSteps = 3;

  @JsonPropertyDescription("TTT steps measured on the validation set; default: tttSteps.")
  @Min(1) @Max(10) public Integer validationTttSteps;

  @JsonPropertyDescription("Loss weight decay per TTT step: step k has weight decay^k, in (0, 1].")
  @Default("1.0")
  @Min(value = 0, inclusive = false) @Max(1) public Double tttStepLossDecay = 1.0;

  @JsonPropertyDescription(
      "Tokens fed to later TTT steps: draft (default; the draft's own predictions mapped"
          + " through d2t, as upstream v0.3/v0.4) or groundTruth (teacher forcing).")
  @Default("draft")
  public TttInputs tttInputs = TttInputs.DRAFT;

  @JsonPropertyDescription("Train the draft's lm_head (initialised from the target's).")
  @Default("true")
  public Boolean trainLmHead = true;

  /** Validation TTT steps with the default (tttSteps) applied. */
  public int resolvedValidationTttSteps() {
    return validationTttSteps != null ? validationTttSteps : tttSteps;
  }
}
