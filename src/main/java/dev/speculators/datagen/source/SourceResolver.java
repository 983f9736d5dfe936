package dev.speculators.datagen.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Turns a {@link DataSpec} into the record files it stands for (downloading Hub files on the way).
 */
public final class SourceResolver {
  private final HubDatasets hub;

  /**
   * @param hub the Hub client; may be null when only local files are used
   */
  public SourceResolver(HubDatasets hub) {
    this.hub = hub;
  }

  public Source resolve(DataSpec spec) throws IOException {
    List<Path> files =
        switch (spec.kind()) {
          case LOCAL -> localFiles(spec.path());
          case PRESET ->
              hubFiles(
                  spec,
                  DatasetPresets.files(
                      spec.name(), spec.split(), hub().listFiles(spec.repo(), spec.revision())));
          case HUB ->
              hubFiles(spec, selectHubFiles(spec, hub().listFiles(spec.repo(), spec.revision())));
        };
    if (files.isEmpty()) {
      throw new IOException("--data " + spec.text() + ": no .json, .jsonl or .parquet files found");
    }
    List<RecordFile> records = new ArrayList<>();
    for (Path f : files) {
      records.add(RecordFile.open(f));
    }
    return new Source(spec, records);
  }

  private HubDatasets hub() throws IOException {
    if (hub == null) {
      throw new IOException("no Hugging Face Hub client configured");
    }
    return hub;
  }

  private List<Path> hubFiles(DataSpec spec, List<String> names) throws IOException {
    List<Path> out = new ArrayList<>();
    for (String n : names) {
      out.add(hub().download(spec.repo(), spec.revision(), n));
    }
    return out;
  }

  /**
   * {@code org/name:file} selects that file, or every data file under it when it ends in {@code /};
   * plain {@code org/name} selects the data files whose path mentions the split ({@code ,split=},
   * default {@code train}) when there are any, else all data files (an explicit split that matches
   * no file is an error).
   */
  static List<String> selectHubFiles(DataSpec spec, List<String> repoFiles) throws IOException {
    List<String> data =
        repoFiles.stream().filter(f -> RecordFile.isSupported(Path.of(f))).sorted().toList();
    if (spec.file() != null) {
      if (spec.file().endsWith("/")) {
        return data.stream().filter(f -> f.startsWith(spec.file())).toList();
      }
      if (!repoFiles.contains(spec.file())) {
        throw new IOException(
            "--data "
                + spec.text()
                + ": "
                + spec.repo()
                + " has no file "
                + spec.file()
                + " (data files: "
                + String.join(", ", data.stream().limit(20).toList())
                + (data.size() > 20 ? ", ..." : "")
                + ")");
      }
      return List.of(spec.file());
    }
    String split = spec.split() == null ? "train" : spec.split().toLowerCase(java.util.Locale.ROOT);
    List<String> inSplit =
        data.stream().filter(f -> f.toLowerCase(java.util.Locale.ROOT).contains(split)).toList();
    if (inSplit.isEmpty() && spec.split() != null) {
      throw new IOException(
          "--data "
              + spec.text()
              + ": no data file of "
              + spec.repo()
              + " mentions split '"
              + spec.split()
              + "' (data files: "
              + String.join(", ", data.stream().limit(20).toList())
              + ")");
    }
    return inSplit.isEmpty() ? data : inSplit;
  }

  /** A file, or every supported file under a directory (recursively, sorted by path). */
  static List<Path> localFiles(Path p) throws IOException {
    if (Files.isRegularFile(p)) {
      if (!RecordFile.isSupported(p)) {
        throw new IOException(
            p + ": unsupported file type (expected .json, .jsonl, .parquet, .json.gz, .jsonl.gz)");
      }
      return List.of(p);
    }
    try (Stream<Path> s = Files.walk(p)) {
      return s.filter(Files::isRegularFile).filter(RecordFile::isSupported).sorted().toList();
    }
  }
}
