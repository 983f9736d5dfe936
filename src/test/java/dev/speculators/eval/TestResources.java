package dev.speculators.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test data under {@code src/test/resources/eval}. */
final class TestResources {
  private TestResources() {}

  static Path path(String relative) {
    try {
      return Path.of(TestResources.class.getResource("/eval/" + relative).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("missing test resource eval/" + relative, e);
    }
  }

  static String text(String relative) {
    try {
      return Files.readString(path(relative), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
