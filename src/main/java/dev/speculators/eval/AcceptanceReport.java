package dev.speculators.eval;

import java.util.Arrays;

/**
 * Acceptance of a speculator over some stretch of traffic, from counter deltas (vLLM's own
 * definitions): mean acceptance length {@code 1 + accepted/drafts} (the bonus token included), the
 * unconditional rate at each draft position {@code accepted_pos[i]/drafts}, the conditional rate
 * {@code p_i/p_{i-1}} (with {@code p_{-1} = 1}: the chance position i is accepted given that i-1
 * was), and the token acceptance rate {@code accepted/draft_tokens}.
 *
 * <p>Pooling several benchmarks means adding their deltas and computing the report of the sum
 * ({@link SpecDecodeCounters#plus}), never averaging ratios.
 *
 * @param noDrafts true when nothing was drafted: the length is then 1 and the rates are 0, and the
 *     report says so rather than pretending to a measurement
 * @param conditionalAcceptance NaN where the previous position was never accepted
 */
public record AcceptanceReport(
    long drafts,
    long draftTokens,
    long acceptedTokens,
    double meanAcceptanceLength,
    double acceptanceRate,
    double[] perPositionAcceptance,
    double[] conditionalAcceptance,
    boolean noDrafts) {

  public AcceptanceReport {
    perPositionAcceptance = perPositionAcceptance.clone();
    conditionalAcceptance = conditionalAcceptance.clone();
  }

  /** The report of counter deltas. */
  public static AcceptanceReport of(SpecDecodeCounters delta) {
    long drafts = delta.drafts();
    long[] perPos = delta.acceptedPerPosition();
    double[] p = new double[perPos.length];
    double[] cond = new double[perPos.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = drafts == 0 ? 0.0 : (double) perPos[i] / drafts;
      // p_i / p_{i-1} computed from the counts, so that only one rounding happens
      long previous = i == 0 ? drafts : perPos[i - 1];
      cond[i] = previous == 0 ? (i == 0 ? 0.0 : Double.NaN) : (double) perPos[i] / previous;
    }
    double length = drafts == 0 ? 1.0 : (double) (drafts + delta.acceptedTokens()) / drafts;
    double rate =
        delta.draftTokens() == 0 ? 0.0 : (double) delta.acceptedTokens() / delta.draftTokens();
    return new AcceptanceReport(
        drafts, delta.draftTokens(), delta.acceptedTokens(), length, rate, p, cond, drafts == 0);
  }

  /** The report of what happened between two snapshots. */
  public static AcceptanceReport between(SpecDecodeCounters before, SpecDecodeCounters after) {
    return of(after.minus(before));
  }

  @Override
  public double[] perPositionAcceptance() {
    return perPositionAcceptance.clone();
  }

  @Override
  public double[] conditionalAcceptance() {
    return conditionalAcceptance.clone();
  }

  /** Number of draft positions (K). */
  public int positions() {
    return perPositionAcceptance.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AcceptanceReport r
        && drafts == r.drafts
        && draftTokens == r.draftTokens
        && acceptedTokens == r.acceptedTokens
        && Double.compare(meanAcceptanceLength, r.meanAcceptanceLength) == 0
        && Double.compare(acceptanceRate, r.acceptanceRate) == 0
        && Arrays.equals(perPositionAcceptance, r.perPositionAcceptance)
        && Arrays.equals(conditionalAcceptance, r.conditionalAcceptance)
        && noDrafts == r.noDrafts;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(drafts) * 31 + Arrays.hashCode(perPositionAcceptance);
  }

  @Override
  public String toString() {
    return "AcceptanceReport[drafts="
        + drafts
        + ", meanAcceptanceLength="
        + meanAcceptanceLength
        + ", perPosition="
        + Arrays.toString(perPositionAcceptance)
        + ", conditional="
        + Arrays.toString(conditionalAcceptance)
        + (noDrafts ? ", noDrafts" : "")
        + "]";
  }
}
