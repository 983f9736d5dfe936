package dev.speculators.eval;

import java.util.List;
import java.util.Set;

/**
 * How GuideLLM drives the server: load profile, limits, sampling parameters (sent in every request
 * body), model and tokenizer. Null means "GuideLLM's default".
 *
 * @param profile {@code throughput} (default), {@code sweep}, {@code synchronous}, {@code
 *     concurrent}, {@code constant} or {@code poisson}
 * @param rates the profile's numbers: max concurrency (throughput), number of benchmarks (sweep),
 *     streams (concurrent), requests per second (constant, poisson)
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
    if ((profile.equals("constant") || profile.equals("poisson") || profile.equals("concurrent"))
        && rates.isEmpty()) {
      throw new IllegalArgumentException("--profile " + profile + " needs --rate");
    }
    if (profile.equals("synchronous") && !rates.isEmpty()) {
      throw new IllegalArgumentException("--profile synchronous takes no --rate");
    }
    for (double r : rates) {
      if (!(r > 0) || Double.isInfinite(r)) {
        throw new IllegalArgumentException("--rate " + r + ": must be a positive number");
      }
    }
    if (maxRequests != null && maxRequests <= 0) {
      throw new IllegalArgumentException("--max-requests " + maxRequests + ": must be positive");
    }
    if (maxSeconds != null && maxSeconds <= 0) {
      throw new IllegalArgumentException("--max-seconds " + maxSeconds + ": must be positive");
    }
  }
}
