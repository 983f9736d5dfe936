package dev.speculators.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ordinary bad input to any command gives one line on stderr that names the command and the
 * problem, a non-zero exit, and no stack trace unless --verbose asks for it. The commands run as
 * the jar runs them ({@link Main#commandLine()}).
 */
class CliErrorsTest {
  private static final Path TINY_MODEL = Path.of("examples/local/tiny-model");

  @TempDir Path tmp;

  record Outcome(int code, String out, String err) {
    /** The lines of stderr. */
    String[] errLines() {
      return err.isBlank() ? new String[0] : err.strip().split("\\R");
    }
  }

  static Outcome run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      picocli.CommandLine cl = Main.commandLine();
      cl.setOut(new PrintWriter(System.out, true));
      cl.setErr(new PrintWriter(System.err, true));
      int code = cl.execute(args);
      return new Outcome(
          code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  /** One line on stderr, starting with the command, containing {@code what}; no trace. */
  private static void assertOneLine(Outcome o, String command, String... what) {
    assertThat(o.code()).as("exit code; stderr: %s", o.err()).isNotZero();
    assertThat(o.errLines()).as("stderr").hasSize(1);
    assertThat(o.err()).startsWith(command + ": ").contains(what).doesNotContain("\tat ");
    assertThat(o.out()).as("stdout").doesNotContain("\tat ", "Exception");
  }

  @Test
  void trainOnAFileThatIsNotATorchArchive() throws Exception {
    Path data = Files.createDirectories(tmp.resolve("dataset/data"));
    Files.writeString(data.resolve("data_0.pt"), "not a torch.save archive\n");
    Outcome o =
        run(
            "train",
            "--verifier",
            TINY_MODEL.toString(),
            "--data",
            tmp.resolve("dataset").toString(),
            "--output",
            tmp.resolve("out").toString(),
            "--termination-log",
            tmp.resolve("termination-log").toString());
    assertOneLine(o, "train", data.resolve("data_0.pt").toString(), "not a torch.save zip archive");
    assertThat(o.code()).isEqualTo(1);
  }

  @Test
  void trainWithAVerifierDirectoryThatDoesNotExist() {
    Path missing = tmp.resolve("no-model");
    Outcome o = run("train", "--verifier", missing.toString(), "--data", "d", "--output", "o");
    assertOneLine(o, "train", "--verifier " + missing + ": no such directory");
  }

  @Test
  void trainWithAnOptionMisspelledSuggestsTheRealOne() {
    Outcome o = run("train", "--verifier", "x", "--data", "d", "--output", "o", "--epoch", "3");
    assertOneLine(o, "train", "Unknown options: '--epoch'", "did you mean --epochs", "--help");
    assertThat(o.code()).isEqualTo(2);
  }

  @Test
  void datagenOnADataPathThatDoesNotExist() {
    Outcome o =
        run(
            "datagen",
            "--model",
            TINY_MODEL.toString(),
            "--data",
            tmp.resolve("missing.jsonl").toString(),
            "--output",
            tmp.resolve("out").toString(),
            "--engine",
            "reference",
            "--termination-log",
            tmp.resolve("termination-log").toString());
    assertOneLine(o, "datagen", "missing.jsonl", "not an existing path");
  }

  @Test
  void evalWithoutItsEndpoint() {
    Outcome o = run("eval", "--data", "x.jsonl", "--output", tmp.toString());
    assertOneLine(o, "eval", "--endpoint");
    assertThat(o.code()).isEqualTo(2);
  }

  @Test
  void evalAnalyzeLogOnAMalformedMetricsLine() throws Exception {
    Path log = tmp.resolve("vllm.log");
    Files.writeString(log, "INFO SpecDecoding metrics: garbage\n");
    Outcome o = run("eval", "analyze-log", log.toString());
    assertOneLine(o, "eval analyze-log", log + " line 1");
  }

  @Test
  void runOnAFileThatIsNotYaml() throws Exception {
    Path file = tmp.resolve("pipeline.yaml");
    Files.writeString(file, "kind: HiddenStateDataset\nspec: [unclosed\n");
    Outcome o = run("run", "-f", file.toString(), "-o", tmp.resolve("out").toString());
    assertOneLine(o, "run", file + " line 3, column 1", "expected ',' or ']'", "line 2, column 7");
  }

  @Test
  void verifyGoldenOnADirectoryThatDoesNotExist() {
    Outcome o = run("verify-golden", tmp.resolve("nowhere").toString());
    assertOneLine(o, "verify-golden", "nowhere");
  }

  @Test
  void benchWithANumberThatIsNotOne() {
    Outcome o = run("bench", "--steps", "many");
    assertOneLine(o, "bench", "--steps", "'many'");
    assertThat(o.code()).isEqualTo(2);
  }

  @Test
  void layerIdsOnAConfigThatIsNotJson() throws Exception {
    Path model = Files.createDirectories(tmp.resolve("model"));
    Files.writeString(model.resolve("config.json"), "{ not json");
    Outcome o = run("layer-ids", "--model", model.toString());
    assertOneLine(
        o, "layer-ids", model.resolve("config.json") + " line 1, column 3: not valid JSON");
  }

  @Test
  void makeTinyModelWithAHiddenSizeTheHeadsCannotSplit() {
    Outcome o =
        run("make-tiny-model", "--output", tmp.resolve("m").toString(), "--hidden-size", "90");
    assertOneLine(o, "make-tiny-model", "hidden size 90");
  }

  @Test
  void makeTinyModelIntoAPathUnderAFile() throws Exception {
    Path file = Files.writeString(tmp.resolve("file"), "x");
    Outcome o = run("make-tiny-model", "--output", file.resolve("model").toString());
    assertOneLine(o, "make-tiny-model", file + ": is a file, not a directory");
  }

  @Test
  void verbosePrintsTheStackTraceAfterTheLine() {
    Outcome o = run("verify-golden", "--verbose", tmp.resolve("nowhere").toString());
    assertThat(o.code()).isNotZero();
    assertThat(o.errLines()[0]).startsWith("verify-golden: ").contains("nowhere");
    assertThat(o.err()).contains("\tat dev.speculators.");
  }

  @Test
  void everyCommandHasVerbose() {
    picocli.CommandLine root = Main.commandLine();
    root.getSubcommands()
        .forEach(
            (name, command) -> {
              if (!name.equals("help")) {
                assertThat(command.getCommandSpec().findOption("--verbose")).as(name).isNotNull();
                command
                    .getSubcommands()
                    .forEach(
                        (sub, c) ->
                            assertThat(c.getCommandSpec().findOption("--verbose"))
                                .as(name + " " + sub)
                                .isNotNull());
              }
            });
  }

  @Test
  void messagesOfSeveralLinesAndWrappedCausesBecomeOneLine() {
    assertThat(CliErrors.describe(new RuntimeException(new java.io.IOException("a\n  b\n\nc"))))
        .isEqualTo("a; b; c");
    assertThat(
            CliErrors.describe(
                new java.io.UncheckedIOException(new java.nio.file.NoSuchFileException("/x/y"))))
        .isEqualTo("/x/y: no such file or directory");
    assertThat(CliErrors.describe(new NullPointerException("z")))
        .startsWith("internal error: NullPointerException (z) at ")
        .endsWith("please report it with the output of --verbose");
  }
}
