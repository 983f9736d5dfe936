package dev.speculators.operator.pods;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ArgsFileTest {
  @TempDir Path tmp;

  @CommandLine.Command(name = "t")
  static class Echo implements Runnable {
    @CommandLine.Parameters List<String> values = new ArrayList<>();

    @Override
    public void run() {}
  }

  /** What picocli reads back from an args file, as the worker command would. */
  private List<String> readBack(List<String> args) throws IOException {
    Path file = tmp.resolve("a.args");
    Files.writeString(file, ArgsFile.format(args));
    Echo echo = new Echo();
    new CommandLine(echo).parseArgs("@" + file);
    return echo.values;
  }

  @Test
  void everyArgumentSurvivesPicocliExpansion() throws IOException {
    List<String> args =
        List.of(
            "plain",
            "with space",
            "tab\there",
            "back\\slash",
            "quote\"d",
            "single'quote",
            "#not-a-comment",
            "@not-a-file",
            "/inputs/claim/my file.jsonl,maxSamples=5",
            "{\"json\":[1,2]}",
            "");
    assertThat(readBack(args)).containsExactlyElementsOf(args);
  }

  @Test
  void plainArgumentsStayReadable() {
    assertThat(ArgsFile.format(List.of("--model", "org/m", "a b")))
        .isEqualTo("--model\norg/m\n\"a b\"\n");
  }
}
