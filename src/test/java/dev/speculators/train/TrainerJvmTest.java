package dev.speculators.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The trainer image starts the JVM exactly as bench measures it, and the docs say so. */
class TrainerJvmTest {

  @Test
  void theTrainerImageAndTheDocsUseTheBenchmarkedOptions() throws Exception {
    String dockerfile = Files.readString(Path.of("images/trainer/Dockerfile"));
    Matcher m = Pattern.compile("(?m)^ENTRYPOINT \\[(.*)\\]$").matcher(dockerfile);
    assertThat(m.find()).as("ENTRYPOINT of the trainer image").isTrue();
    List<String> entry = new ArrayList<>();
    for (String part : m.group(1).split(",")) {
      entry.add(part.strip().replaceAll("^\"|\"$", ""));
    }
    List<String> expected = new ArrayList<>(List.of("java"));
    expected.addAll(TrainerJvm.OPTIONS);
    expected.addAll(List.of("-jar", "/opt/speculators/quarkus-run.jar"));
    assertThat(entry).isEqualTo(expected);
    assertThat(Files.readString(Path.of("docs/training.md")))
        .contains(String.join(" ", TrainerJvm.OPTIONS));
  }
}
