package dev.speculators.eval;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A snapshot of vLLM's cumulative speculative-decoding counters, summed over every label other than
 * {@code position} (data-parallel {@code engine}s, {@code model_name}). The same shape comes from a
 * {@code /metrics} scrape of vLLM and from the reference engine, so acceptance is computed once, by
 * {@link AcceptanceReport}, for both.
 *
 * @param drafts {@code vllm:spec_decode_num_drafts_total}
 * @param draftTokens {@code vllm:spec_decode_num_draft_tokens_total}
 * @param acceptedTokens {@code vllm:spec_decode_num_accepted_tokens_total}
 * @param acceptedPerPosition {@code vllm:spec_decode_num_accepted_tokens_per_pos_total} by {@code
 *     position} (0..K-1)
 */
public record SpecDecodeCounters(
    long drafts, long draftTokens, long acceptedTokens, long[] acceptedPerPosition) {
  public static final String DRAFTS = "vllm:spec_decode_num_drafts_total";
  public static final String DRAFT_TOKENS = "vllm:spec_decode_num_draft_tokens_total";
  public static final String ACCEPTED_TOKENS = "vllm:spec_decode_num_accepted_tokens_total";
  public static final String ACCEPTED_PER_POSITION =
      "vllm:spec_decode_num_accepted_tokens_per_pos_total";

  /** Nothing counted yet. */
  public static final SpecDecodeCounters ZERO = new SpecDecodeCounters(0, 0, 0, new long[0]);

  public SpecDecodeCounters {
    acceptedPerPosition = acceptedPerPosition.clone();
  }

  @Override
  public long[] acceptedPerPosition() {
    return acceptedPerPosition.clone();
  }

  /** Number of draft positions (K) the counters cover. */
  public int positions() {
    return acceptedPerPosition.length;
  }

  /** True when {@code samples} contain vLLM's spec-decode counters at all. */
  public static boolean present(List<PrometheusSample> samples) {
    return samples.stream().anyMatch(s -> s.name().equals(DRAFTS));
  }

  /**
   * The counters in a scrape. Missing series count as zero (vLLM creates the per-position series
   * lazily in some versions); use {@link #present} to tell "no speculative decoding" apart.
   */
  public static SpecDecodeCounters fromSamples(String source, List<PrometheusSample> samples) {
    double drafts = 0;
    double draftTokens = 0;
    double accepted = 0;
    Map<Integer, Double> perPosition = new TreeMap<>();
    for (PrometheusSample s : samples) {
      switch (s.name()) {
        case DRAFTS -> drafts += s.value();
        case DRAFT_TOKENS -> draftTokens += s.value();
        case ACCEPTED_TOKENS -> accepted += s.value();
        case ACCEPTED_PER_POSITION ->
            perPosition.merge(position(source, s), s.value(), Double::sum);
        default -> {
          // other vLLM metrics are not ours to read
        }
      }
    }
    int k =
        perPosition.isEmpty()
            ? 0
            : perPosition.keySet().stream().mapToInt(i -> i).max().orElse(-1) + 1;
    long[] pos = new long[k];
    for (Map.Entry<Integer, Double> e : perPosition.entrySet()) {
      pos[e.getKey()] =
          count(source, ACCEPTED_PER_POSITION + "{position=\"" + e.getKey() + "\"}", e.getValue());
    }
    return new SpecDecodeCounters(
        count(source, DRAFTS, drafts),
        count(source, DRAFT_TOKENS, draftTokens),
        count(source, ACCEPTED_TOKENS, accepted),
        pos);
  }

  /** Parses a Prometheus text exposition and reads the counters from it. */
  public static SpecDecodeCounters fromPrometheusText(String source, String text) {
    return fromSamples(source, PrometheusText.parse(source, text));
  }

  /**
   * What happened between {@code before} and this snapshot. A counter that went down means the
   * server restarted in between, which makes the difference meaningless.
   */
  public SpecDecodeCounters minus(SpecDecodeCounters before) {
    long dDrafts = delta(DRAFTS, before.drafts, drafts);
    long dDraftTokens = delta(DRAFT_TOKENS, before.draftTokens, draftTokens);
    long dAccepted = delta(ACCEPTED_TOKENS, before.acceptedTokens, acceptedTokens);
    int k = Math.max(positions(), before.positions());
    long[] pos = new long[k];
    for (int i = 0; i < k; i++) {
      pos[i] =
          delta(
              ACCEPTED_PER_POSITION + "{position=\"" + i + "\"}",
              at(before.acceptedPerPosition, i),
              at(acceptedPerPosition, i));
    }
    return new SpecDecodeCounters(dDrafts, dDraftTokens, dAccepted, pos);
  }

  /** Element-wise sum: the pooled deltas of several benchmarks. */
  public SpecDecodeCounters plus(SpecDecodeCounters other) {
    int k = Math.max(positions(), other.positions());
    long[] pos = new long[k];
    for (int i = 0; i < k; i++) {
      pos[i] = at(acceptedPerPosition, i) + at(other.acceptedPerPosition, i);
    }
    return new SpecDecodeCounters(
        drafts + other.drafts,
        draftTokens + other.draftTokens,
        acceptedTokens + other.acceptedTokens,
        pos);
  }

  /**
   * These counters in vLLM's exposition format, as one engine of a server serving {@code
   * modelName}: what a stand-in for vLLM (the reference engine) serves on {@code /metrics}.
   */
  public String toPrometheusText(String modelName) {
    String model = modelName.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    String labels = "engine=\"0\",model_name=\"" + model + "\"";
    StringBuilder b = new StringBuilder();
    counter(b, DRAFTS, "Number of spec decoding drafts.", labels, drafts);
    counter(b, DRAFT_TOKENS, "Number of draft tokens.", labels, draftTokens);
    counter(b, ACCEPTED_TOKENS, "Number of accepted tokens.", labels, acceptedTokens);
    String family =
        ACCEPTED_PER_POSITION.substring(0, ACCEPTED_PER_POSITION.length() - "_total".length());
    b.append("# HELP ").append(family).append(" Accepted tokens per draft position.\n");
    b.append("# TYPE ").append(family).append(" counter\n");
    for (int i = 0; i < acceptedPerPosition.length; i++) {
      b.append(ACCEPTED_PER_POSITION)
          .append('{')
          .append(labels)
          .append(",position=\"")
          .append(i)
          .append("\"} ")
          .append(acceptedPerPosition[i])
          .append(".0\n");
    }
    return b.toString();
  }

  private static void counter(
      StringBuilder b, String name, String help, String labels, long value) {
    String family = name.substring(0, name.length() - "_total".length());
    b.append("# HELP ").append(family).append(' ').append(help).append('\n');
    b.append("# TYPE ").append(family).append(" counter\n");
    b.append(name).append('{').append(labels).append("} ").append(value).append(".0\n");
  }

  private static long at(long[] a, int i) {
    return i < a.length ? a[i] : 0;
  }

  private static long delta(String counter, long before, long after) {
    if (after < before) {
      throw new IllegalStateException(
          counter
              + " went down from "
              + before
              + " to "
              + after
              + ": the vLLM server restarted during the benchmark, so its counters cannot be compared");
    }
    return after - before;
  }

  private static int position(String source, PrometheusSample s) {
    String p = s.labels().get("position");
    if (p == null || !p.matches("\\d{1,4}")) {
      throw new MalformedInputException(
          source,
          0,
          ACCEPTED_PER_POSITION + " sample without a valid 'position' label: " + s.labels());
    }
    return Integer.parseInt(p);
  }

  private static long count(String source, String counter, double value) {
    if (!Double.isFinite(value) || value < 0) {
      throw new MalformedInputException(source, 0, counter + " is " + value + ", not a count");
    }
    return Math.round(value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SpecDecodeCounters c
        && drafts == c.drafts
        && draftTokens == c.draftTokens
        && acceptedTokens == c.acceptedTokens
        && Arrays.equals(acceptedPerPosition, c.acceptedPerPosition);
  }

  @Override
  public int hashCode() {
    return 31 * Long.hashCode(drafts) + Arrays.hashCode(acceptedPerPosition);
  }

  @Override
  public String toString() {
    return "SpecDecodeCounters[drafts="
        + drafts
        + ", draftTokens="
        + draftTokens
        + ", acceptedTokens="
        + acceptedTokens
        + ", acceptedPerPosition="
        + Arrays.toString(acceptedPerPosition)
        + "]";
  }
}
