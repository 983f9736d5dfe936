package dev.speculators.train.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * Rotary position embedding settings, as in Hugging Face's {@code rope_theta} / {@code
 * rope_scaling}. Supported scaling types are those whose inverse frequencies are a pure function of
 * the config: {@code default}, {@code linear} and {@code llama3}.
 *
 * @param theta base of the geometric frequency ladder
 * @param type {@code default}, {@code linear} or {@code llama3}
 * @param factor scaling factor (linear, llama3)
 * @param lowFreqFactor llama3 {@code low_freq_factor}
 * @param highFreqFactor llama3 {@code high_freq_factor}
 * @param originalMaxPositionEmbeddings llama3 {@code original_max_position_embeddings}
 */
public record RopeConfig(
    double theta,
    String type,
    double factor,
    double lowFreqFactor,
    double highFreqFactor,
    int originalMaxPositionEmbeddings) {

  public static RopeConfig plain(double theta) {
    return new RopeConfig(theta, "default", 1.0, 0, 0, 0);
  }

  /**
   * Reads a Hugging Face {@code rope_scaling} object (null or {@code {"rope_type": ...}}).
   *
   * @return empty when the scaling type is not one this trainer implements
   */
  public static Optional<RopeConfig> fromHf(double theta, JsonNode ropeScaling) {
    if (ropeScaling == null || ropeScaling.isNull() || ropeScaling.isMissingNode()) {
      return Optional.of(plain(theta));
    }
    String type = ropeScaling.path("rope_type").asText(ropeScaling.path("type").asText("default"));
    switch (type) {
      case "default":
        return Optional.of(plain(theta));
      case "linear":
        return Optional.of(
            new RopeConfig(theta, "linear", ropeScaling.path("factor").asDouble(1.0), 0, 0, 0));
      case "llama3":
        return Optional.of(
            new RopeConfig(
                theta,
                "llama3",
                ropeScaling.path("factor").asDouble(8.0),
                ropeScaling.path("low_freq_factor").asDouble(1.0),
                ropeScaling.path("high_freq_factor").asDouble(4.0),
                ropeScaling.path("original_max_position_embeddings").asInt(8192)));
      default:
        return Optional.empty();
    }
  }

  /** True when no scaling is applied (what {@code rope_scaling: null} means). */
  public boolean isPlain() {
    return type.equals("default");
  }

  public RopeConfig {
    if (!type.equals("default") && !type.equals("linear") && !type.equals("llama3")) {
      throw new IllegalArgumentException(
          "unsupported rope_scaling type '" + type + "' (supported: default, linear, llama3)");
    }
  }
}
