package dev.speculators.train.model;

/**
 * Rotary position embedding settings, as in Hugging Face's {@code rope_theta} / {@code
 * rope_scaling}. Supported scaling types are those whose inverse frequencies are a pure function
 * of the config: {@code default}, {@code linear} and {@code llama3}.
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

  public RopeConfig {
    if (!type.equals("default") && !type.equals("linear") && !type.equals("llama3")) {
      throw new IllegalArgumentException(
          "unsupported rope_scaling type '" + type + "' (supported: default, linear, llama3)");
    }
  }
}
