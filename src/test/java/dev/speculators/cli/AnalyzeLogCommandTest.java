package dev.speculators.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AnalyzeLogCommandTest {
  @TempDir Path tmp;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    // through the application's command tree, as users call it: eval analyze-log FILE
    CommandLine.IFactory factory =
        new CommandLine.IFactory() {
          @Override
          public <K> K create(Class<K> type) throws Exception {
            if (type == AnalyzeLogCommand.class) {
              return type.cast(
                  new AnalyzeLogCommand(
                      new PrintStream(out, true, StandardCharsets.UTF_8),
                      new PrintStream(err, true, StandardCharsets.UTF_8)));
            }
            return CommandLine.defaultFactory().create(type);
          }
        };
    String[] full = new String[args.length + 2];
    full[0] = "eval";
    full[1] = "analyze-log";
    System.arraycopy(args, 0, full, 2, args.length);
    return new CommandLine(new Main(), factory).execute(full);
  }

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(AnalyzeLogCommandTest.class.getResource("/eval/logs/" + name).toURI());
  }

  @Test
  void printsAndWritesTheUpstreamReport() throws Exception {
    Path report = tmp.resolve("acceptance_analysis.txt");
    assertThat(run(resource("two_intervals.log").toString(), "-o", report.toString())).isZero();
    String expected = Files.readString(resource("two_intervals.expected.txt"));
    assertThat(Files.readString(report)).isEqualTo(expected);
    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(printed).startsWith(expected + "\n");
    assertThat(printed).contains("Weighted per-position acceptance rates:\n[0.733 0.533 0.333]");
    assertThat(printed).contains("Conditional acceptance rates:\n[0.733 0.727 0.625]");
    assertThat(printed).contains("Implied mean acceptance length: 2.600");
  }

  @Test
  void malformedLogsAndMissingFilesExitWith1AndSayWhere() throws IOException {
    Path log = tmp.resolve("vllm.log");
    Files.writeString(
        log, "INFO boot\nINFO ok\nINFO SpecDecoding metrics: Accepted: 3 tokens, Drafted: lots\n");
    assertThat(run(log.toString())).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains(log + " line 3:")
        .contains("'Drafted: lots'");

    assertThat(run(tmp.resolve("missing.log").toString())).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("cannot read");
  }

  @Test
  void usageErrorsExitWith2() {
    assertThat(run()).isEqualTo(2);
  }
}
