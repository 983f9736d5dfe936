package dev.speculators.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class AcceptanceReportTest {

  @Test
  void theWorkedExampleOfTheInterfacesNotes() {
    // before (400, 1200, 640, [290,200,150]), after (1000, 3000, 1660, [710,530,420])
    AcceptanceReport r =
        AcceptanceReport.between(
            new SpecDecodeCounters(400, 1200, 640, new long[] {290, 200, 150}),
            new SpecDecodeCounters(1000, 3000, 1660, new long[] {710, 530, 420}));
    assertThat(r.drafts()).isEqualTo(600);
    assertThat(r.draftTokens()).isEqualTo(1800);
    assertThat(r.acceptedTokens()).isEqualTo(1020);
    assertThat(r.meanAcceptanceLength()).isCloseTo(2.70, within(1e-12));
    assertThat(r.acceptanceRate()).isCloseTo(1020.0 / 1800, within(1e-12));
    assertThat(r.perPositionAcceptance())
        .containsExactly(new double[] {0.70, 0.55, 0.45}, within(1e-12));
    assertThat(r.conditionalAcceptance())
        .containsExactly(new double[] {0.70, 0.55 / 0.70, 0.45 / 0.55}, within(1e-12));
    assertThat(r.noDrafts()).isFalse();
    // identity: mean acceptance length = 1 + sum of per-position rates
    assertThat(1 + 0.70 + 0.55 + 0.45).isCloseTo(r.meanAcceptanceLength(), within(1e-12));
  }

  @Test
  void noDraftsGivesLengthOneAndIsFlagged() {
    SpecDecodeCounters same = new SpecDecodeCounters(5, 15, 9, new long[] {4, 3, 2});
    AcceptanceReport r = AcceptanceReport.between(same, same);
    assertThat(r.noDrafts()).isTrue();
    assertThat(r.meanAcceptanceLength()).isEqualTo(1.0);
    assertThat(r.acceptanceRate()).isEqualTo(0.0);
    assertThat(r.perPositionAcceptance()).containsExactly(0.0, 0.0, 0.0);
    assertThat(r.conditionalAcceptance()[0]).isEqualTo(0.0);
    assertThat(r.conditionalAcceptance()[1]).isNaN();
  }

  @Test
  void poolingAddsDeltasInsteadOfAveragingRatios() {
    SpecDecodeCounters a = new SpecDecodeCounters(100, 300, 240, new long[] {90, 80, 70});
    SpecDecodeCounters b = new SpecDecodeCounters(900, 2700, 900, new long[] {450, 270, 180});
    AcceptanceReport pooled = AcceptanceReport.of(a.plus(b));
    assertThat(pooled.meanAcceptanceLength()).isCloseTo(1 + 1140.0 / 1000, within(1e-12));
    double meanOfRatios =
        (AcceptanceReport.of(a).meanAcceptanceLength()
                + AcceptanceReport.of(b).meanAcceptanceLength())
            / 2;
    assertThat(pooled.meanAcceptanceLength()).isNotCloseTo(meanOfRatios, within(0.1));
    assertThat(pooled.perPositionAcceptance())
        .containsExactly(new double[] {0.54, 0.35, 0.25}, within(1e-12));
  }
}
