package dev.speculators.train.data;

import java.util.Locale;

/**
 * What training does with a row of a speculators 0.5+ dataset that has no hidden-states file:
 * upstream's {@code --on-missing} without {@code generate} (this trainer runs no vLLM server beside
 * itself; the states are generated before training).
 */
public enum MissingHiddenStates {
  /** Skip the row; one line counts and names the skipped rows. The default. */
  WARN,
  /** Skip the row without a word. */
  SKIP,
  /** Refuse to train, naming the rows without a file. */
  RAISE;

  /**
   * The value of an {@code --on-missing} flag.
   *
   * @throws IllegalArgumentException for {@code generate} (with what to do instead) or an unknown
   *     value
   */
  public static MissingHiddenStates of(String flag) {
    String f = flag.strip().toLowerCase(Locale.ROOT);
    if (f.equals("generate")) {
      throw new IllegalArgumentException(
          "--on-missing generate: this trainer does not run vLLM during training; generate the"
              + " hidden states first (a HiddenStateDataset, datagen, or upstream's"
              + " data_generation_offline.py), then use warn, skip or raise");
    }
    for (MissingHiddenStates m : values()) {
      if (m.name().toLowerCase(Locale.ROOT).equals(f)) {
        return m;
      }
    }
    throw new IllegalArgumentException("--on-missing " + flag + ": expected warn, skip or raise");
  }
}
