package dev.speculators.datagen.source;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The two Hugging Face Hub operations a dataset source needs (backed by {@code HfHub}). */
public interface HubDatasets {
  /** Every file path in the dataset repository at {@code revision}. */
  List<String> listFiles(String repo, String revision) throws IOException;

  /** A local copy of one file (cached, resumable). */
  Path download(String repo, String revision, String file) throws IOException;
}
