package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** The quality a trained speculator must reach for the training to become Ready. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AcceptanceGate {

  @JsonPropertyDescription(
      "Minimum mean acceptance length (1 + accepted tokens per draft) of the evaluation.")
  @Required
  @Min(1) @Max(17) public Double minMeanAcceptanceLength;
}
