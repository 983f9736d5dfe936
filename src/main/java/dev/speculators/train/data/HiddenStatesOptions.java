package dev.speculators.train.data;

import java.nio.file.Path;

/**
 * Where the hidden states of a speculators 0.5+ dataset are and what to do about rows without them
 * (upstream's {@code --hidden-states-path} and {@code --on-missing}). Both apply only to that
 * format; a field left null takes its default.
 *
 * @param dir the folder of the {@code hs_<row>.safetensors} files, or null for {@code
 *     <dataset>/hidden_states}
 * @param onMissing rows without a file, or null for {@link MissingHiddenStates#WARN}
 */
public record HiddenStatesOptions(Path dir, MissingHiddenStates onMissing) {
  /**
   * The hidden states in {@code <dataset>/hidden_states}, rows without a file skipped with a line.
   */
  public static final HiddenStatesOptions DEFAULTS = new HiddenStatesOptions(null, null);

  /** Whether anything was asked for, so that a dataset of another format can refuse it. */
  boolean given() {
    return dir != null || onMissing != null;
  }

  MissingHiddenStates missing() {
    return onMissing == null ? MissingHiddenStates.WARN : onMissing;
  }
}
