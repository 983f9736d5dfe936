package dev.speculators.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.speculators.eval.SpecDecodeLogLine.Format;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LogAcceptanceAnalysisTest {

  private static List<SpecDecodeLogLine> parse(String log) throws IOException {
    return new SpecDecodeLogParser("vllm.log").parse(new BufferedReader(new StringReader(log)));
  }

  @Test
  void theHandCheckedTwoIntervals() throws IOException {
    LogAcceptanceAnalysis a =
        LogAcceptanceAnalysis.of("log", parse(TestResources.text("logs/two_intervals.log")));
    assertThat(a.samples()).isEqualTo(2);
    assertThat(a.totalDraftedTokens()).isEqualTo(900);
    // w = [(240+420)/900, (180+300)/900, (120+180)/900]
    assertThat(a.weightedPerPosition())
        .containsExactly(new double[] {660.0 / 900, 480.0 / 900, 300.0 / 900}, within(1e-12));
    assertThat(a.conditional())
        .containsExactly(new double[] {660.0 / 900, 480.0 / 660, 300.0 / 480}, within(1e-12));
    assertThat(NumpyFormat.roundedArray(a.weightedPerPosition())).isEqualTo("[0.733 0.533 0.333]");
    assertThat(NumpyFormat.roundedArray(a.conditional())).isEqualTo("[0.733 0.727 0.625]");
    assertThat(a.impliedMeanAcceptanceLength()).isCloseTo(2.60, within(1e-12));
  }

  /** Reports produced with numpy by src/test/python/acceptance_reference.py. */
  @ParameterizedTest
  @ValueSource(strings = {"two_intervals", "mixed_formats", "fifteen_positions"})
  void reportsMatchTheUpstreamNumpyOutputCharacterForCharacter(String name) throws IOException {
    LogAcceptanceAnalysis a =
        LogAcceptanceAnalysis.of("log", parse(TestResources.text("logs/" + name + ".log")));
    assertThat(a.upstreamReport()).isEqualTo(TestResources.text("logs/" + name + ".expected.txt"));
  }

  @Test
  void everyLogFormatIsReadByLabel() throws IOException {
    List<SpecDecodeLogLine> lines = parse(TestResources.text("logs/mixed_formats.log"));
    assertThat(lines)
        .extracting(SpecDecodeLogLine::format)
        .containsExactly(Format.F0, Format.F1, Format.F2, Format.F2B, Format.F3, Format.F3);
    assertThat(lines).extracting(SpecDecodeLogLine::lineNumber).containsExactly(1, 2, 3, 4, 6, 7);
    assertThat(lines)
        .extracting(SpecDecodeLogLine::draftedTokens)
        .containsExactly(66L, 900L, 900L, 295L, 360L, 70L);
    assertThat(lines)
        .extracting(SpecDecodeLogLine::acceptedTokens)
        .containsExactly(33L, 540L, 540L, 262L, 84L, 0L);
    assertThat(lines.get(0).perPositionAcceptance()).isNull();
    assertThat(lines.get(1).perPositionAcceptance()).isNull();
    assertThat(lines.get(2).perPositionAcceptance()).containsExactly(0.8, 0.6, 0.4);
    assertThat(lines.get(3).perPositionAcceptance())
        .containsExactly(0.983, 0.949, 0.915, 0.881, 0.712);
    assertThat(lines.get(4).perPositionAcceptance()).hasSize(5);

    LogAcceptanceAnalysis a = LogAcceptanceAnalysis.of("log", lines);
    assertThat(a.samples()).isEqualTo(4);
    assertThat(a.linesWithoutPerPosition()).isEqualTo(2);
    assertThat(a.acceptedTokens()).isEqualTo(33 + 540 + 540 + 262 + 84);
    assertThat(a.notes()).anyMatch(n -> n.startsWith("2 metrics lines without per-position rates"));
  }

  @Test
  void fieldOrderDoesNotMatter() throws IOException {
    List<SpecDecodeLogLine> lines =
        parse(
            "x SpecDecoding metrics: Per-position acceptance rate: 0.500, 0.250, Drafted: 40 tokens, "
                + "Some future field: 7, Accepted: 15 tokens, Avg Draft acceptance rate: 37.5%");
    assertThat(lines)
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.draftedTokens()).isEqualTo(40);
              assertThat(l.acceptedTokens()).isEqualTo(15);
              assertThat(l.perPositionAcceptance()).containsExactly(0.5, 0.25);
              assertThat(l.format()).isEqualTo(Format.F3);
            });
  }

  @Test
  void malformedMetricsLinesAreNamedByNumber() {
    assertThatThrownBy(
            () ->
                parse(
                    "INFO start\nINFO SpecDecoding metrics: Mean acceptance length: 2.80, Accepted: 5 tokens\n"))
        .isInstanceOf(MalformedInputException.class)
        .hasMessage("vllm.log line 2: SpecDecoding metrics line without 'Drafted: N tokens'");
    assertThatThrownBy(
            () ->
                parse(
                    "a\nb\nSpecDecoding metrics: Accepted: 5 tokens, Drafted: 9 tokens, Per-position acceptance rate: 0.5, x.y\n"))
        .hasMessageContaining("line 3:")
        .hasMessageContaining("'x.y'");
    assertThatThrownBy(
            () ->
                parse(
                    "SpecDecoding metrics: Mean acceptance length: 2.80, Accepted: 540 tokens, Drafted: 900 tok"))
        .hasMessageContaining("line 1: 'Drafted: 900 tok' is not 'N tokens'");
    assertThatThrownBy(
            () ->
                parse(
                    "SpecDecoding metrics: Mean acceptance length: 2.80, Drafted: 900 tokens, Accep"))
        .hasMessageContaining("line 1: 'Drafted: 900 tokens, Accep'");
  }

  @Test
  void aLogWithoutMetricsOrWithoutPerPositionRatesSaysWhy() throws IOException {
    assertThatThrownBy(() -> LogAcceptanceAnalysis.of("vllm.log", parse("INFO nothing here\n")))
        .hasMessageContaining("no 'SpecDecoding metrics:' lines");
    List<SpecDecodeLogLine> f1 =
        parse(
            "SpecDecoding metrics: Draft acceptance rate: 60.0%, Accepted: 540 tokens, Drafted: 900 tokens\n");
    assertThatThrownBy(() -> LogAcceptanceAnalysis.of("vllm.log", f1))
        .hasMessageContaining("no per-position acceptance rates")
        .hasMessageContaining("540 of 900");
  }
}
