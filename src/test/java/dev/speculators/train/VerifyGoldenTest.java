package dev.speculators.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.speculators.cli.VerifyGoldenCommand;
import dev.speculators.train.golden.GoldenCase;
import dev.speculators.train.golden.GoldenResult;
import dev.speculators.train.golden.Measure;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** The trainer reproduces the upstream Python implementation's numbers on every shipped case. */
class VerifyGoldenTest {
  static final Path FIXTURES = Path.of("src/test/resources/fixtures/eagle3");

  @ParameterizedTest
  @CsvSource({
    "case_basic,FUSED",
    "case_teacher_forced,FUSED",
    "case_two_layers,FUSED",
    "case_full_vocab,FUSED",
    "case_basic,DENSE",
    "case_two_layers,DENSE"
  })
  void caseMatchesUpstream(String name, GoldenCase.AttentionPath path) throws Exception {
    GoldenResult r = GoldenCase.run(FIXTURES.resolve(name), path);
    System.out.println(path + " " + r.line());
    assertThat(r.measures())
        .extracting(Measure::quantity)
        .contains("loss", "metrics", "grad", "grad_norm", "params1", "params2", "draft_tokens");
    assertThat(r.measures()).allSatisfy(m -> assertThat(m.ok()).as(m.toString()).isTrue());
  }

  @Test
  void commandPrintsOneLinePerCaseAndSucceeds() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    int code;
    try {
      System.setOut(new PrintStream(out, true));
      code = new CommandLine(new VerifyGoldenCommand()).execute(FIXTURES.toString());
    } finally {
      System.setOut(old);
    }
    assertThat(code).isZero();
    assertThat(out.toString().lines()).hasSize(4).allMatch(l -> l.contains("PASS"));
  }
}
