package dev.speculators.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The reasons catalogue users read (README, or the operator's docs fragment before it is merged).
 */
class ReasonCatalogueTest {

  private static String docs() throws IOException {
    for (Path p : new Path[] {Path.of("README.md"), Path.of("docs-fragments", "operator.md")}) {
      if (Files.isRegularFile(p) && Files.readString(p).contains("| `Succeeded` | succeeded |")) {
        return Files.readString(p);
      }
    }
    throw new AssertionError("no reasons catalogue in README.md or docs-fragments/operator.md");
  }

  @Test
  void everyReasonIsDocumentedWithItsStateAndMeaning() throws IOException {
    String docs = docs();
    for (Reason r : Reason.values()) {
      String state = r.state().name().toLowerCase(Locale.ROOT).replace('_', ' ');
      assertThat(docs)
          .as("reason %s", r)
          .contains("| `" + r.name() + "` | " + state + " | " + r.description() + " |");
    }
  }
}
