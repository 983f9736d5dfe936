package dev.speculators.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speculators.io.dataset.DatasetLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The finished datasets under a {@code run -f} output directory, found by their content hash: a
 * dataset directory whose {@code data/data_config.json} (written when all of its shards finished)
 * records the hash.
 */
final class LocalDatasets {
  /** How deep dataset directories are looked for: {@code volumes/<claim>/<subPath...>}. */
  private static final int MAX_DEPTH = 8;

  private static final ObjectMapper JSON = new ObjectMapper();

  private LocalDatasets() {}

  /** A finished dataset with {@code hash} under {@code output}, other than {@code self}. */
  static Optional<Path> withHash(Path output, String hash, Path self) throws IOException {
    if (!Files.isDirectory(output)) {
      return Optional.empty();
    }
    try (Stream<Path> s = Files.walk(output, MAX_DEPTH)) {
      for (Path config :
          s.filter(p -> p.getFileName().toString().equals("data_config.json"))
              .filter(p -> p.getParent().getFileName().toString().equals("data"))
              .sorted(Comparator.comparing(Path::toString))
              .toList()) {
        Path dir = config.getParent().getParent();
        if (dir.toAbsolutePath().normalize().equals(self.toAbsolutePath().normalize())) {
          continue;
        }
        String recorded =
            JSON.readTree(config.toFile())
                .path("speculators_operator")
                .path("content_hash")
                .asText();
        if (hash.equals(recorded)
            && Files.isRegularFile(new DatasetLayout(dir).sampleLengthsFile())) {
          return Optional.of(dir);
        }
      }
    }
    return Optional.empty();
  }
}
