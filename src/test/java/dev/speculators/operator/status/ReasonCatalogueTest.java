package dev.speculators.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The reasons catalogue users read, in the operator page of the manual. */
class ReasonCatalogueTest {

  private static final Path PAGE = Path.of("docs", "operator.md");

  private static String docs() throws IOException {
    return Files.readString(PAGE);
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
