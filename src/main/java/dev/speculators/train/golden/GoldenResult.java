package dev.speculators.train.golden;

import java.util.List;
import java.util.Locale;

/** The outcome of one golden case. */
public record GoldenResult(String name, List<Measure> measures) {
  public boolean passed() {
    return measures.stream().allMatch(Measure::ok);
  }

  /** One line: case, verdict, then every quantity with its worst error. */
  public String line() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%-22s %s", name, passed() ? "PASS" : "FAIL"));
    for (Measure m : measures) {
      sb.append(
          String.format(Locale.ROOT, "  %s=%.2e%s", m.quantity(), m.worst(), m.ok() ? "" : "!"));
    }
    return sb.toString();
  }
}
