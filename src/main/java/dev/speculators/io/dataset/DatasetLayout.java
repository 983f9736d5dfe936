package dev.speculators.io.dataset;

import dev.speculators.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The on-disk contract of a hidden-state dataset, the same as upstream speculators':
 *
 * <pre>
 * &lt;root&gt;/data/data_&lt;i&gt;.pt              one sample each ({@link SampleFile})
 * &lt;root&gt;/data/sample_lengths.json      index -> length ({@link SampleLengths})
 * &lt;root&gt;/data/data_config.json         generation metadata
 * &lt;root&gt;/token_freq.pt                 token counts ({@link TokenFrequencies})
 * </pre>
 *
 * {@code token_freq.pt} sits outside {@code data/} because upstream training treats every file
 * under the data path whose name ends in {@code pt} as a sample.
 */
public final class DatasetLayout {
  public static final String DATA_DIR = "data";
  public static final String SAMPLE_LENGTHS = "sample_lengths.json";
  public static final String DATA_CONFIG = "data_config.json";
  public static final String TOKEN_FREQ = "token_freq.pt";

  private static final Pattern SAMPLE_NAME = Pattern.compile("data_(0|[1-9][0-9]*)\\.pt");

  private final Path root;

  public DatasetLayout(Path root) {
    this.root = root;
  }

  public Path root() {
    return root;
  }

  /** {@code <root>/data}: the path training is pointed at. */
  public Path dataDir() {
    return root.resolve(DATA_DIR);
  }

  /** {@code <root>/data/data_<index>.pt}. */
  public Path sampleFile(long index) {
    if (index < 0) {
      throw new IllegalArgumentException("negative sample index " + index);
    }
    return dataDir().resolve("data_" + index + ".pt");
  }

  public Path sampleLengthsFile() {
    return dataDir().resolve(SAMPLE_LENGTHS);
  }

  public Path dataConfigFile() {
    return dataDir().resolve(DATA_CONFIG);
  }

  public Path tokenFreqFile() {
    return root.resolve(TOKEN_FREQ);
  }

  /** The {@code data_<i>.pt} files directly in {@link #dataDir()}, by increasing index. */
  public List<Path> listSampleFiles() throws IOException {
    if (!Files.isDirectory(dataDir())) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dataDir())) {
      return s.filter(p -> sampleIndex(p).isPresent() && Files.isRegularFile(p))
          .sorted(Comparator.comparingLong(p -> sampleIndex(p).getAsLong()))
          .toList();
    }
  }

  /** The index {@code i} of a file named {@code data_<i>.pt}, if it is named so. */
  public static OptionalLong sampleIndex(Path file) {
    Matcher m = SAMPLE_NAME.matcher(file.getFileName().toString());
    if (!m.matches()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(m.group(1)));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * The sample files upstream training would use for {@code dataPath}: every regular file under it
   * (recursively) whose name ends in {@code pt}, minus leftovers of interrupted atomic writes.
   * Upstream takes the directory walk's order, which depends on the file system; this returns a
   * stable order instead: by folder, then numerically by sample index, then by name.
   */
  public static List<Path> discoverSampleFiles(Path dataPath) throws IOException {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dataPath)) {
      s.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().endsWith("pt"))
          .filter(p -> !AtomicFiles.isTemporary(p))
          .forEach(out::add);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    out.sort(
        Comparator.comparing((Path p) -> String.valueOf(p.getParent()))
            .thenComparingLong(p -> sampleIndex(p).orElse(Long.MAX_VALUE))
            .thenComparing(p -> p.getFileName().toString()));
    return out;
  }
}
