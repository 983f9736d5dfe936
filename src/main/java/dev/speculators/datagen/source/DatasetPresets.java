package dev.speculators.datagen.source;

import java.util.List;
import java.util.Locale;

/**
 * The dataset presets of upstream speculators: {@code sharegpt} is every JSON file at the top of
 * {@code Aeala/ShareGPT_Vicuna_unfiltered} (its {@code train} split), {@code ultrachat} the {@code
 * train_sft} Parquet files of {@code HuggingFaceH4/ultrachat_200k}.
 */
public final class DatasetPresets {
  public static final String SHAREGPT = "sharegpt";
  public static final String ULTRACHAT = "ultrachat";

  private DatasetPresets() {}

  static boolean isPreset(String name) {
    return SHAREGPT.equals(name) || ULTRACHAT.equals(name);
  }

  static String repo(String preset) {
    return switch (preset) {
      case SHAREGPT -> "Aeala/ShareGPT_Vicuna_unfiltered";
      case ULTRACHAT -> "HuggingFaceH4/ultrachat_200k";
      default -> throw new IllegalArgumentException("unknown preset " + preset);
    };
  }

  /**
   * The files of a preset among the repository's files, sorted; {@code split} null = the default.
   */
  static List<String> files(String preset, String split, List<String> repoFiles) {
    if (SHAREGPT.equals(preset) && split != null && !split.equals("train")) {
      throw new IllegalArgumentException(
          "the sharegpt preset has only the train split, not '" + split + "'");
    }
    String ultrachatPrefix = "data/" + (split == null ? "train_sft" : split) + "-";
    return repoFiles.stream()
        .filter(
            f ->
                switch (preset) {
                  case SHAREGPT -> !f.contains("/") && f.toLowerCase(Locale.ROOT).endsWith(".json");
                  case ULTRACHAT -> f.startsWith(ultrachatPrefix) && f.endsWith(".parquet");
                  default -> false;
                })
        .sorted()
        .toList();
  }
}
