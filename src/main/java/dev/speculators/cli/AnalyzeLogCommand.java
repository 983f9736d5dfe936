package dev.speculators.cli;

import dev.speculators.eval.LogAcceptanceAnalysis;
import dev.speculators.eval.MalformedInputException;
import dev.speculators.eval.SpecDecodeLogParser;
import dev.speculators.io.AtomicFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code eval analyze-log}: acceptance from a vLLM server log, printed as the upstream speculators
 * evaluation's {@code acceptance_analysis.txt}.
 */
@Command(
    name = "analyze-log",
    mixinStandardHelpOptions = true,
    description = {
      "Acceptance from the 'SpecDecoding metrics:' lines of a vLLM server log: per-position rates weighted by "
          + "drafted tokens, and conditional rates, printed like the upstream acceptance_analysis.txt.",
      "Exit codes: 0 ok, 1 unreadable log, 2 usage."
    })
public final class AnalyzeLogCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "FILE", description = "vLLM server log.")
  Path log;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Also write the report here.")
  Path output;

  private final PrintStream out;
  private final PrintStream err;

  public AnalyzeLogCommand() {
    this(System.out, System.err);
  }

  public AnalyzeLogCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() {
    LogAcceptanceAnalysis analysis;
    // Like the upstream tool, bytes that are not UTF-8 (binary noise in a log) are not an error.
    var decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(Files.newInputStream(log), decoder))) {
      analysis =
          LogAcceptanceAnalysis.of(
              log.toString(), new SpecDecodeLogParser(log.toString()).parse(in));
    } catch (IOException e) {
      err.println("eval analyze-log: cannot read " + log + ": " + e.getMessage());
      return 1;
    } catch (MalformedInputException e) {
      err.println("eval analyze-log: " + e.getMessage());
      return 1;
    }
    String report = analysis.upstreamReport();
    out.println(report);
    for (String note : analysis.notes()) {
      out.println(note);
    }
    out.flush();
    if (output != null) {
      try {
        AtomicFiles.writeString(output, report);
      } catch (IOException e) {
        err.println("eval analyze-log: cannot write " + output + ": " + e.getMessage());
        return 1;
      }
    }
    return 0;
  }
}
