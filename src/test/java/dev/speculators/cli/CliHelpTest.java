package dev.speculators.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every sub-command documents itself: `--help` works and picocli can format every description. */
class CliHelpTest {

  @Test
  void everySubCommandPrintsItsHelpWithoutFormattingWarnings() {
    CommandLine root = new CommandLine(new Main());
    Map<String, CommandLine> commands = root.getSubcommands();
    assertThat(commands)
        .containsKeys(
            "operator",
            "datagen",
            "train",
            "eval",
            "run",
            "verify-golden",
            "bench",
            "layer-ids",
            "make-tiny-model");
    PrintStream oldErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      for (String name : commands.keySet()) {
        if (name.equals("help")) {
          continue;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CommandLine cmd = new CommandLine(new Main());
        cmd.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        int code = cmd.execute(name, "--help");
        assertThat(code).as(name + " --help").isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
            .as(name)
            .contains("Usage: speculators " + name);
      }
    } finally {
      System.setErr(oldErr);
    }
    assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("picocli WARN");
  }

  /**
   * picocli wraps each description element on its own at the terminal width: an element that stops
   * mid-sentence leaves a short broken line in the help.
   */
  @Test
  void everyCommandDescriptionElementIsAWholeSentence() {
    CommandLine root = new CommandLine(new Main());
    for (Map.Entry<String, CommandLine> e : root.getSubcommands().entrySet()) {
      visit(e.getKey(), e.getValue());
    }
  }

  private static void visit(String name, CommandLine cmd) {
    for (String line : cmd.getCommandSpec().usageMessage().description()) {
      assertThat(line.strip())
          .as("%s: description line '%s'", name, line)
          .matches("(?s).*[.:)](%n)?$");
    }
    cmd.getSubcommands().forEach((sub, c) -> visit(name + " " + sub, c));
  }
}
