package dev.speculators.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.io.AtomicFiles;
import dev.speculators.io.TerminationLog;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The files an evaluation leaves in its output folder, all written atomically:
 *
 * <ul>
 *   <li>{@code results.json}: everything, per dataset and pooled, full precision;
 *   <li>{@code acceptance.csv}: one row per dataset plus {@code pooled};
 *   <li>{@code summary.json}: the compact summary that also goes to the termination message;
 * </ul>
 *
 * <p>and the table printed for people.
 */
public final class EvalOutputs {
  public static final String RESULTS = "results.json";
  public static final String ACCEPTANCE_CSV = "acceptance.csv";
  public static final String SUMMARY = "summary.json";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private EvalOutputs() {}

  /**
   * Writes {@code results.json}, {@code acceptance.csv} and {@code summary.json} into {@code dir}.
   */
  public static void write(Path dir, EvalResults results) throws IOException {
    AtomicFiles.writeString(
        dir.resolve(RESULTS), JSON.writeValueAsString(resultsJson(results)) + "\n");
    AtomicFiles.writeString(dir.resolve(ACCEPTANCE_CSV), acceptanceCsv(results));
    AtomicFiles.writeString(dir.resolve(SUMMARY), JSON.writeValueAsString(summary(results)) + "\n");
  }

  // ---- results.json ---------------------------------------------------------------------------

  public static ObjectNode resultsJson(EvalResults r) {
    ObjectNode root = JSON.createObjectNode();
    root.put("kind", "eval");
    root.put("complete", r.complete());
    if (r.error() != null) {
      root.put("error", r.error());
    }
    ObjectNode server = root.putObject("server");
    server.put("endpoint", r.endpoint());
    server.put("vllmVersion", r.vllmVersion());
    ArrayNode models = server.putArray("servedModels");
    r.servedModels().forEach(models::add);
    server.put("baselineEndpoint", r.baselineEndpoint());
    ObjectNode guidellm = root.putObject("guidellm");
    guidellm.put("executable", r.guidellmExecutable());
    guidellm.put("cli", r.guidellmCli().label());
    guidellm.put("version", r.guidellmVersion());
    root.set("settings", settings(r.settings()));
    ArrayNode datasets = root.putArray("datasets");
    for (DatasetResult d : r.datasets()) {
      datasets.add(dataset(d));
    }
    ObjectNode pooled = root.putObject("pooled");
    pooled.put("datasets", r.datasets().size());
    if (r.datasets().isEmpty()) {
      pooled.putNull("counters");
      pooled.putNull("acceptance");
    } else {
      pooled.set("counters", counters(r.pooledDelta()));
      pooled.set("acceptance", acceptance(r.pooledAcceptance()));
    }
    ObjectNode throughput = pooled.putObject("throughput");
    throughput.put("method", "mean over datasets of each dataset's headline benchmark");
    num(throughput, "outputTokensPerSecond", r.pooledOutputTokensPerSecond());
    num(throughput, "baselineOutputTokensPerSecond", r.pooledBaselineOutputTokensPerSecond());
    num(throughput, "speedup", r.pooledSpeedup());
    num(throughput, "ttftMsMedian", r.pooledTtftMsMedian());
    num(throughput, "itlMsMedian", r.pooledItlMsMedian());
    ArrayNode warnings = root.putArray("warnings");
    warnings(r).forEach(warnings::add);
    return root;
  }

  private static ObjectNode settings(BenchmarkSettings s) {
    ObjectNode n = JSON.createObjectNode();
    n.put("profile", s.profile());
    ArrayNode rates = n.putArray("rates");
    s.rates().forEach(rates::add);
    n.put("maxRequests", s.maxRequests());
    n.put("maxSeconds", s.maxSeconds());
    n.put("temperature", s.temperature());
    n.put("topP", s.topP());
    n.put("topK", s.topK());
    n.put("model", s.model());
    n.put("processor", s.processor());
    n.put("textColumn", s.textColumn());
    return n;
  }

  private static ObjectNode dataset(DatasetResult d) {
    ObjectNode n = JSON.createObjectNode();
    String name = d.dataset().name();
    n.put("name", name);
    n.put("source", d.dataset().spec());
    n.put("kind", d.dataset().kind().name().toLowerCase(Locale.ROOT));
    n.put("file", d.dataset().file() == null ? null : d.dataset().file().toString());
    ObjectNode counters = n.putObject("counters");
    counters.set("before", counters(d.before()));
    counters.set("after", counters(d.after()));
    counters.set("delta", counters(d.delta()));
    n.set("acceptance", acceptance(d.acceptance()));
    n.set("throughput", guidellm(d.benchmark(), guidellmFile(name, false)));
    if (d.baseline() != null) {
      ObjectNode baseline = guidellm(d.baseline(), d.baselineSource());
      n.set("baseline", baseline);
    } else {
      n.putNull("baseline");
    }
    num(n, "speedup", d.speedup());
    ObjectNode files = n.putObject("files");
    files.put("guidellmResult", guidellmFile(name, false));
    files.put("guidellmLog", guidellmLog(name, false));
    files.put("metricsBefore", metricsFile(name, "before"));
    files.put("metricsAfter", metricsFile(name, "after"));
    return n;
  }

  /**
   * The file name of a raw {@code /metrics} scrape taken {@code when} ("before", "after") a
   * dataset.
   */
  public static String metricsFile(String dataset, String when) {
    return "metrics_" + dataset + "_" + when + ".prom";
  }

  /** The file name of the raw GuideLLM result of a dataset. */
  public static String guidellmFile(String dataset, boolean baseline) {
    return "guidellm_" + (baseline ? "baseline_" : "") + dataset + ".json";
  }

  /** The file name of the GuideLLM log of a dataset. */
  public static String guidellmLog(String dataset, boolean baseline) {
    return "guidellm_" + (baseline ? "baseline_" : "") + dataset + ".log";
  }

  private static ObjectNode guidellm(GuidellmResult g, String source) {
    ObjectNode n = JSON.createObjectNode();
    n.put("source", source);
    n.put("layout", g.layout());
    n.put("guidellmVersion", g.guidellmVersion());
    n.set("headline", benchmark(g.headline()));
    ArrayNode all = n.putArray("benchmarks");
    g.benchmarks().forEach(b -> all.add(benchmark(b)));
    return n;
  }

  private static ObjectNode benchmark(GuidellmBenchmark b) {
    ObjectNode n = JSON.createObjectNode();
    n.put("strategy", b.strategy());
    n.put("label", b.label());
    if (b.rate() != null) {
      n.put("rate", b.rate());
    }
    if (b.streams() != null) {
      n.put("streams", b.streams());
    }
    if (b.maxConcurrency() != null) {
      n.put("maxConcurrency", b.maxConcurrency());
    }
    num(n, "requestsPerSecond", b.requestsPerSecond());
    num(n, "outputTokensPerSecond", b.outputTokensPerSecond());
    n.set("ttftMs", stat(b.ttftMs()));
    n.set("itlMs", stat(b.itlMs()));
    n.set("tpotMs", stat(b.tpotMs()));
    n.set("requestLatencyS", stat(b.requestLatencyS()));
    ObjectNode requests = n.putObject("requests");
    if (b.requests().total() >= 0) {
      requests.put("successful", b.requests().successful());
      requests.put("incomplete", b.requests().incomplete());
      requests.put("errored", b.requests().errored());
      requests.put("total", b.requests().total());
    }
    return n;
  }

  private static ObjectNode stat(GuidellmBenchmark.Stat s) {
    ObjectNode n = JSON.createObjectNode();
    num(n, "median", s.median());
    num(n, "p99", s.p99());
    return n;
  }

  /**
   * Counters as they appear in {@code results.json} (also used by the reference engine's results).
   */
  public static ObjectNode counters(SpecDecodeCounters c) {
    ObjectNode n = JSON.createObjectNode();
    n.put("drafts", c.drafts());
    n.put("draftTokens", c.draftTokens());
    n.put("acceptedTokens", c.acceptedTokens());
    ArrayNode pos = n.putArray("acceptedPerPosition");
    for (long v : c.acceptedPerPosition()) {
      pos.add(v);
    }
    return n;
  }

  /**
   * An acceptance report as it appears in {@code results.json} (also used by the reference engine's
   * results).
   */
  public static ObjectNode acceptance(AcceptanceReport a) {
    ObjectNode n = JSON.createObjectNode();
    n.put("drafts", a.drafts());
    n.put("draftTokens", a.draftTokens());
    n.put("acceptedTokens", a.acceptedTokens());
    num(n, "meanAcceptanceLength", a.meanAcceptanceLength());
    num(n, "acceptanceRate", a.acceptanceRate());
    nums(n.putArray("perPositionAcceptance"), a.perPositionAcceptance(), -1);
    nums(n.putArray("conditionalAcceptance"), a.conditionalAcceptance(), -1);
    n.put("noDrafts", a.noDrafts());
    return n;
  }

  /** Things a reader of the numbers should know. */
  public static List<String> warnings(EvalResults r) {
    List<String> w = new ArrayList<>();
    for (DatasetResult d : r.datasets()) {
      String name = d.dataset().name();
      if (d.acceptance().noDrafts()) {
        w.add(
            name
                + ": no drafts during the benchmark, so the acceptance length of 1 is not a measurement;"
                + " is the server running with --speculative-config?");
      }
      failedRequests(w, name, "", d.benchmark());
      if (d.baseline() != null) {
        failedRequests(w, name, "baseline ", d.baseline());
      }
    }
    return w;
  }

  private static void failedRequests(
      List<String> w, String dataset, String what, GuidellmResult result) {
    boolean several = result.benchmarks().size() > 1;
    for (GuidellmBenchmark b : result.benchmarks()) {
      GuidellmBenchmark.Requests req = b.requests();
      if (req.errored() > 0) {
        w.add(
            dataset
                + ": "
                + req.errored()
                + " of "
                + req.total()
                + " "
                + what
                + "requests failed"
                + (several ? " (" + b.label() + ")" : ""));
      }
    }
  }

  // ---- acceptance.csv -------------------------------------------------------------------------

  public static String acceptanceCsv(EvalResults r) {
    java.util.LinkedHashMap<String, AcceptanceReport> rows = new java.util.LinkedHashMap<>();
    for (DatasetResult d : r.datasets()) {
      rows.put(d.dataset().name(), d.acceptance());
    }
    if (!r.datasets().isEmpty()) {
      rows.put(DatasetResolver.POOLED, r.pooledAcceptance());
    }
    return acceptanceCsv(rows);
  }

  /** {@code acceptance.csv} with one row per named report (also used by the reference engine). */
  public static String acceptanceCsv(java.util.Map<String, AcceptanceReport> rows) {
    int k = rows.values().stream().mapToInt(AcceptanceReport::positions).max().orElse(0);
    StringBuilder b =
        new StringBuilder(
            "dataset,drafts,draft_tokens,accepted_tokens,mean_acceptance_length,acceptance_rate");
    for (int i = 0; i < k; i++) {
      b.append(",acceptance_at_pos_").append(i);
    }
    for (int i = 0; i < k; i++) {
      b.append(",conditional_acceptance_at_pos_").append(i);
    }
    b.append('\n');
    rows.forEach((name, a) -> csvRow(b, name, a, k));
    return b.toString();
  }

  private static void csvRow(StringBuilder b, String name, AcceptanceReport a, int k) {
    b.append(name)
        .append(',')
        .append(a.drafts())
        .append(',')
        .append(a.draftTokens())
        .append(',')
        .append(a.acceptedTokens())
        .append(',')
        .append(plain(a.meanAcceptanceLength()))
        .append(',')
        .append(plain(a.acceptanceRate()));
    double[] p = a.perPositionAcceptance();
    double[] c = a.conditionalAcceptance();
    for (int i = 0; i < k; i++) {
      b.append(',').append(i < p.length ? plain(p[i]) : "");
    }
    for (int i = 0; i < k; i++) {
      b.append(',').append(i < c.length ? plain(c[i]) : "");
    }
    b.append('\n');
  }

  private static String plain(double v) {
    return Double.isFinite(v) ? BigDecimal.valueOf(v).toPlainString() : "";
  }

  // ---- summary (termination message) ----------------------------------------------------------

  /** The compact summary for the resource status; well under the 4 KiB of a termination message. */
  public static ObjectNode summary(EvalResults r) {
    AcceptanceReport a = r.pooledAcceptance();
    ObjectNode n = JSON.createObjectNode();
    n.put("kind", "eval");
    if (r.error() != null) {
      n.put("error", r.error().length() > 1024 ? r.error().substring(0, 1021) + "..." : r.error());
    }
    if (r.datasets().isEmpty()) {
      // nothing measured: no numbers rather than the neutral values of empty counters
      n.put("datasets", 0);
      n.put("vllmVersion", r.vllmVersion());
      return n;
    }
    num(n, "meanAcceptanceLength", round(a.meanAcceptanceLength(), 3));
    nums(n.putArray("perPositionAcceptance"), a.perPositionAcceptance(), 4);
    nums(n.putArray("conditionalAcceptance"), a.conditionalAcceptance(), 4);
    num(n, "acceptanceRate", round(a.acceptanceRate(), 4));
    n.put("drafts", a.drafts());
    n.put("draftTokens", a.draftTokens());
    n.put("acceptedTokens", a.acceptedTokens());
    if (a.noDrafts()) {
      n.put("noDrafts", true);
    }
    num(n, "outputTokensPerSecond", round(r.pooledOutputTokensPerSecond(), 1));
    num(n, "baselineOutputTokensPerSecond", round(r.pooledBaselineOutputTokensPerSecond(), 1));
    num(n, "speedup", round(r.pooledSpeedup(), 3));
    num(n, "ttftMsMedian", round(r.pooledTtftMsMedian(), 2));
    num(n, "itlMsMedian", round(r.pooledItlMsMedian(), 2));
    n.put("datasets", r.datasets().size());
    n.put("vllmVersion", r.vllmVersion());
    if (r.datasets().stream().anyMatch(d -> d.benchmark().benchmarks().size() > 1)) {
      perBenchmark(n, r);
    }
    return n;
  }

  /**
   * Multi-benchmark runs (sweep, several rates): one compact entry per GuideLLM benchmark, dataset
   * by dataset, as many as fit the termination message; {@code benchmarksOmitted} counts the rest
   * (all of them are in {@code results.json}).
   */
  private static void perBenchmark(ObjectNode n, EvalResults r) {
    List<ObjectNode> entries = new ArrayList<>();
    for (DatasetResult d : r.datasets()) {
      List<GuidellmBenchmark> base = d.baseline() == null ? List.of() : d.baseline().benchmarks();
      List<GuidellmBenchmark> all = d.benchmark().benchmarks();
      for (int i = 0; i < all.size(); i++) {
        GuidellmBenchmark b = all.get(i);
        ObjectNode e = JSON.createObjectNode();
        e.put("dataset", d.dataset().name());
        e.put("strategy", b.label());
        num(e, "outputTokensPerSecond", round(b.outputTokensPerSecond(), 1));
        num(e, "requestsPerSecond", round(b.requestsPerSecond(), 2));
        num(e, "ttftMsMedian", round(b.ttftMs().median(), 2));
        num(e, "itlMsMedian", round(b.itlMs().median(), 2));
        if (b.requests().errored() > 0) {
          e.put("erroredRequests", b.requests().errored());
        }
        // the same strategy at the same place in the baseline run (not for sweeps, whose rates
        // come from each server's own measurements)
        if (i < base.size() && base.get(i).label().equals(b.label())) {
          num(e, "baselineOutputTokensPerSecond", round(base.get(i).outputTokensPerSecond(), 1));
        }
        entries.add(e);
      }
    }
    ArrayNode list = n.putArray("benchmarks");
    int budget = TerminationLog.MAX_BYTES - OMITTED_ROOM;
    int kept = 0;
    for (ObjectNode e : entries) {
      list.add(e);
      if (bytes(n) > budget) {
        list.remove(list.size() - 1);
        break;
      }
      kept++;
    }
    if (kept < entries.size()) {
      n.put("benchmarksOmitted", entries.size() - kept);
    }
  }

  /** Room for {@code ,"benchmarksOmitted":NNNNN}. */
  private static final int OMITTED_ROOM = 32;

  private static int bytes(ObjectNode n) {
    try {
      return new ObjectMapper().writeValueAsBytes(n).length;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- table for people -----------------------------------------------------------------------

  public static String table(EvalResults r) {
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {
          "dataset",
          "drafts",
          "mean AL",
          "acc rate",
          "per-position",
          "out tok/s",
          "baseline",
          "speedup",
          "TTFT ms",
          "ITL ms"
        });
    for (DatasetResult d : r.datasets()) {
      GuidellmBenchmark h = d.benchmark().headline();
      rows.add(
          row(
              d.dataset().name(),
              d.acceptance(),
              h.outputTokensPerSecond(),
              d.baseline() == null ? Double.NaN : d.baseline().headline().outputTokensPerSecond(),
              d.speedup(),
              h.ttftMs().median(),
              h.itlMs().median()));
    }
    if (r.datasets().size() > 1) {
      rows.add(
          row(
              DatasetResolver.POOLED,
              r.pooledAcceptance(),
              r.pooledOutputTokensPerSecond(),
              r.pooledBaselineOutputTokensPerSecond(),
              r.pooledSpeedup(),
              r.pooledTtftMsMedian(),
              r.pooledItlMsMedian()));
    }
    StringBuilder b = new StringBuilder();
    columns(b, rows, 0, 4);
    if (r.datasets().stream().anyMatch(d -> d.benchmark().benchmarks().size() > 1)) {
      List<String[]> each = new ArrayList<>();
      each.add(
          new String[] {
            "dataset", "benchmark", "out tok/s", "req/s", "TTFT ms", "ITL ms", "failed"
          });
      for (DatasetResult d : r.datasets()) {
        for (GuidellmBenchmark x : d.benchmark().benchmarks()) {
          each.add(
              new String[] {
                d.dataset().name(),
                x.label(),
                fmt(x.outputTokensPerSecond(), 1),
                fmt(x.requestsPerSecond(), 2),
                fmt(x.ttftMs().median(), 1),
                fmt(x.itlMs().median(), 2),
                x.requests().errored() < 0 ? "-" : Long.toString(x.requests().errored())
              });
        }
      }
      b.append('\n');
      columns(b, each, 0, 1);
    }
    for (String w : warnings(r)) {
      b.append("warning: ").append(w).append('\n');
    }
    return b.toString();
  }

  /** Rows as aligned columns; {@code left1} and {@code left2} are left-aligned. */
  private static void columns(StringBuilder b, List<String[]> rows, int left1, int left2) {
    int[] width = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        boolean left = i == left1 || i == left2;
        String cell =
            left
                ? String.format("%-" + width[i] + "s", row[i])
                : String.format("%" + width[i] + "s", row[i]);
        b.append(i == 0 ? "" : "  ").append(cell);
      }
      b.append('\n');
    }
  }

  private static String[] row(
      String name,
      AcceptanceReport a,
      double tps,
      double baseline,
      double speedup,
      double ttft,
      double itl) {
    StringBuilder pos = new StringBuilder();
    for (double p : a.perPositionAcceptance()) {
      pos.append(pos.length() == 0 ? "" : " ").append(fmt(p, 3));
    }
    return new String[] {
      name,
      Long.toString(a.drafts()),
      fmt(a.meanAcceptanceLength(), 3) + (a.noDrafts() ? "*" : ""),
      fmt(a.acceptanceRate(), 3),
      pos.toString(),
      fmt(tps, 1),
      fmt(baseline, 1),
      fmt(speedup, 3),
      fmt(ttft, 1),
      fmt(itl, 2)
    };
  }

  private static String fmt(double v, int decimals) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + decimals + "f", v) : "-";
  }

  // ---- formatting
  // --------------------------------------------------------------------------------

  private static double round(double v, int decimals) {
    return Double.isFinite(v)
        ? new BigDecimal(v).setScale(decimals, RoundingMode.HALF_EVEN).doubleValue()
        : v;
  }

  private static void num(ObjectNode n, String key, double v) {
    if (Double.isFinite(v)) {
      n.put(key, v);
    } else {
      n.putNull(key);
    }
  }

  private static void nums(ArrayNode a, double[] values, int decimals) {
    for (double v : values) {
      if (Double.isFinite(v)) {
        a.add(decimals < 0 ? v : round(v, decimals));
      } else {
        a.addNull();
      }
    }
  }
}
