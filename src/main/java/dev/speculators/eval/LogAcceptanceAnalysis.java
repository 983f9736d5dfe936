package dev.speculators.eval;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Acceptance from a vLLM server log, by the method of the upstream speculators evaluation ({@code
 * parse_logs.py}): every metrics line is one interval; per-position rates are zero-padded to the
 * longest line and averaged weighted by the interval's drafted tokens ({@code w_i = Σ rate·drafted
 * / Σ drafted}); the conditional rate is {@code w_i / w_{i-1}} with {@code w_{-1} = 1}. Lines of
 * formats without per-position rates (F0, F1) cannot take part in that average; they are counted
 * separately and only feed the overall token acceptance rate.
 *
 * <p>The log carries rates rounded to 3 decimals and includes warm-up traffic, so the {@code
 * /metrics} method ({@link AcceptanceReport}) is the precise one; this one reads logs of runs that
 * were not scraped.
 */
public record LogAcceptanceAnalysis(
    int samples,
    long totalDraftedTokens,
    double averageDraftedTokens,
    double[] weightedPerPosition,
    double[] conditional,
    int linesWithoutPerPosition,
    long acceptedTokens,
    long draftedTokensWithAcceptedCount,
    Set<SpecDecodeLogLine.Format> formats) {

  private static final String RULE = "=".repeat(70);

  public LogAcceptanceAnalysis {
    weightedPerPosition = weightedPerPosition.clone();
    conditional = conditional.clone();
    formats = Set.copyOf(formats);
  }

  @Override
  public double[] weightedPerPosition() {
    return weightedPerPosition.clone();
  }

  @Override
  public double[] conditional() {
    return conditional.clone();
  }

  /** Analyses the metrics lines of one log; throws when none has per-position rates. */
  public static LogAcceptanceAnalysis of(String source, List<SpecDecodeLogLine> lines) {
    if (lines.isEmpty()) {
      throw new MalformedInputException(
          source,
          0,
          "no '"
              + SpecDecodeLogParser.MARKER
              + "' lines: was vLLM serving with a speculator and with stats logging on?");
    }
    List<SpecDecodeLogLine> rated = new ArrayList<>();
    long accepted = 0;
    long draftedWithAccepted = 0;
    Set<SpecDecodeLogLine.Format> formats = EnumSet.noneOf(SpecDecodeLogLine.Format.class);
    for (SpecDecodeLogLine line : lines) {
      formats.add(line.format());
      if (line.hasPerPosition()) {
        rated.add(line);
      }
      if (line.acceptedTokens() >= 0) {
        accepted += line.acceptedTokens();
        draftedWithAccepted += line.draftedTokens();
      }
    }
    if (rated.isEmpty()) {
      throw new MalformedInputException(
          source,
          0,
          "the metrics lines have no per-position acceptance rates (formats "
              + formats
              + ", vLLM before 0.8.5); only the overall rate is known: "
              + accepted
              + " of "
              + draftedWithAccepted
              + " drafted tokens accepted");
    }
    int k = rated.stream().mapToInt(l -> l.perPositionAcceptance().length).max().orElse(0);
    double[] weightedSum = new double[k];
    long total = 0;
    for (SpecDecodeLogLine line : rated) {
      double[] rates = line.perPositionAcceptance();
      for (int i = 0; i < rates.length; i++) {
        weightedSum[i] += rates[i] * line.draftedTokens();
      }
      total += line.draftedTokens();
    }
    double[] w = new double[k];
    double[] c = new double[k];
    double previous = 1.0;
    for (int i = 0; i < k; i++) {
      w[i] = weightedSum[i] / total; // 0/0 -> NaN, as numpy gives when nothing was drafted
      c[i] = w[i] / previous;
      previous = w[i];
    }
    return new LogAcceptanceAnalysis(
        rated.size(),
        total,
        (double) total / rated.size(),
        w,
        c,
        lines.size() - rated.size(),
        accepted,
        draftedWithAccepted,
        formats);
  }

  /** {@code 1 + Σ w_i}: the mean acceptance length the weighted rates imply. */
  public double impliedMeanAcceptanceLength() {
    double sum = 1.0;
    for (double v : weightedPerPosition) {
      sum += v;
    }
    return sum;
  }

  /** The report exactly as the upstream {@code acceptance_analysis.txt} (no trailing newline). */
  public String upstreamReport() {
    return String.join(
        "\n",
        RULE,
        "Speculative Decoding Acceptance Analysis",
        RULE,
        "",
        "Total samples: " + samples,
        "Total drafted tokens: " + totalDraftedTokens,
        "Average drafted tokens: " + NumpyFormat.twoDecimals(averageDraftedTokens),
        "",
        "Weighted per-position acceptance rates:",
        NumpyFormat.roundedArray(weightedPerPosition),
        "",
        "Conditional acceptance rates:",
        NumpyFormat.roundedArray(conditional),
        RULE);
  }

  /** What this analysis knows beyond the upstream report, one fact per line. */
  public List<String> notes() {
    List<String> notes = new ArrayList<>();
    notes.add(
        String.format(
            java.util.Locale.ROOT,
            "Implied mean acceptance length: %.3f",
            impliedMeanAcceptanceLength()));
    if (draftedTokensWithAcceptedCount > 0) {
      notes.add(
          String.format(
              java.util.Locale.ROOT,
              "Draft token acceptance rate: %.4f (%d of %d tokens)",
              (double) acceptedTokens / draftedTokensWithAcceptedCount,
              acceptedTokens,
              draftedTokensWithAcceptedCount));
    }
    notes.add("Log formats: " + formats);
    if (linesWithoutPerPosition > 0) {
      notes.add(
          linesWithoutPerPosition
              + " metrics lines without per-position rates were left out of the weighted rates");
    }
    return notes;
  }
}
