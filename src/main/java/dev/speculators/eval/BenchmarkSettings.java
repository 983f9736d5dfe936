package dev.speculators.eval;

import java.util.List;
import java.util.Set;

/**
 * How GuideLLM drives the server: load profile, limits, sampling parameters (sent in every request
 * body), model and tokenizer. Null means "GuideLLM's default".
 *
 * @param profile {@code throughput} (default), {@code sweep}, {@code synchronous}, {@code
 *     concurrent}, {@code constant} or {@code poisson}
 * @param rates the profile's numbers, as GuideLLM 0.7.3 takes them: at most one max concurrency for
 *     throughput (none: unlimited), at most one sweep size of 2 or more for sweep (none: GuideLLM's
 *     10), one or more whole stream counts for concurrent, one or more requests per second for
 *     constant and poisson; none for synchronous
 * @param textColumn the prompt column of the data files, when GuideLLM cannot guess it
 */
public record BenchmarkSettings(
    String profile,
    List<Double> rates,
    Integer maxRequests,
    Integer maxSeconds,
    Double temperature,
    Double topP,
    Integer topK,
    String model,
    String processor,
    String textColumn) {

  public static final Set<String> PROFILES =
      Set.of("throughput", "sweep", "synchronous", "concurrent", "constant", "poisson");

  public BenchmarkSettings {
    rates = rates == null ? List.of() : List.copyOf(rates);
    profile = profile == null ? "throughput" : profile;
    if (!PROFILES.contains(profile)) {
      throw new IllegalArgumentException(
          "--profile "
              + profile
              + ": expected one of "
              + String.join(", ", PROFILES.stream().sorted().toList()));
    }
    for (double r : rates) {
      if (!(r > 0) || Double.isInfinite(r)) {
        throw new IllegalArgumentException("--rate " + r + ": must be a positive number");
      }
    }
    String problem = rateProblem(profile, rates);
    if (problem != null) {
      throw new IllegalArgumentException("--profile " + profile + " " + problem);
    }
    if (maxRequests != null && maxRequests <= 0) {
      throw new IllegalArgumentException("--max-requests " + maxRequests + ": must be positive");
    }
    if (maxSeconds != null && maxSeconds <= 0) {
      throw new IllegalArgumentException("--max-seconds " + maxSeconds + ": must be positive");
    }
    if (textColumn != null && (textColumn.isBlank() || textColumn.contains("."))) {
      // GuideLLM's column mapper reads "a.b" as column b of the dataset named a
      throw new IllegalArgumentException(
          "--text-column '" + textColumn + "': must be a column name without '.'");
    }
  }

  /**
   * Why GuideLLM 0.7.3 cannot run {@code profile} with {@code rates}, or null when it can. Its
   * profile schemas: throughput {@code max_concurrency: PositiveInt | None} (required, one value),
   * sweep {@code sweep_size: int >= 2} (one value), concurrent {@code streams: list[PositiveInt]},
   * constant/poisson {@code rate: list[PositiveFloat]}, synchronous no number; and {@code
   * --override} merges only {@code profile.rate} and {@code profile.streams}.
   */
  static String rateProblem(String profile, List<Double> rates) {
    return switch (profile) {
      case "throughput" ->
          rates.size() > 1
              ? "takes at most one --rate (its max concurrency); GuideLLM cannot run several"
                  + " throughput benchmarks in one run (use --profile concurrent for several"
                  + " concurrency levels)"
              : !wholeNumbers(rates) ? "needs a whole number --rate (max concurrency)" : null;
      case "sweep" ->
          rates.size() > 1
              ? "takes at most one --rate (the number of benchmarks in the sweep)"
              : !wholeNumbers(rates) || (!rates.isEmpty() && rates.get(0) < 2)
                  ? "needs a whole number --rate of 2 or more (the number of benchmarks)"
                  : null;
      case "concurrent" ->
          rates.isEmpty()
              ? "needs --rate (concurrent streams)"
              : !wholeNumbers(rates) ? "needs whole numbers in --rate (concurrent streams)" : null;
      case "constant", "poisson" -> rates.isEmpty() ? "needs --rate (requests per second)" : null;
      case "synchronous" -> rates.isEmpty() ? null : "takes no --rate";
      default -> null;
    };
  }

  private static boolean wholeNumbers(List<Double> rates) {
    return rates.stream().allMatch(r -> r == Math.rint(r) && r <= Integer.MAX_VALUE);
  }
}
