package dev.speculators.engine.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.BuildInfo;
import dev.speculators.eval.AcceptanceReport;
import dev.speculators.eval.DatasetResolver;
import dev.speculators.eval.EvalOutputs;
import dev.speculators.io.AtomicFiles;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The reference engine's evaluation outputs, in the shape of the vLLM path's ({@code results.json}
 * with the same {@code counters} and {@code acceptance} objects per dataset and pooled, {@code
 * acceptance.csv}, {@code summary.json} = the termination message) without GuideLLM's throughput
 * and latency, which a CPU simulation does not measure. Instead: output tokens and target forward
 * passes (one per token without speculation), and the untrained draft's acceptance when it ran.
 */
public final class ReferenceEvalOutputs {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ReferenceEvalOutputs() {}

  public static void write(Path dir, ReferenceEvalResults r) throws IOException {
    AtomicFiles.writeString(
        dir.resolve(EvalOutputs.RESULTS), JSON.writeValueAsString(resultsJson(r)) + "\n");
    Map<String, AcceptanceReport> rows = new LinkedHashMap<>();
    for (ReferenceDatasetResult d : r.datasets()) {
      rows.put(d.dataset().name(), d.acceptance());
    }
    if (!r.datasets().isEmpty()) {
      rows.put(DatasetResolver.POOLED, r.pooledAcceptance());
    }
    AtomicFiles.writeString(
        dir.resolve(EvalOutputs.ACCEPTANCE_CSV), EvalOutputs.acceptanceCsv(rows));
    AtomicFiles.writeString(
        dir.resolve(EvalOutputs.SUMMARY), JSON.writeValueAsString(summary(r)) + "\n");
  }

  public static ObjectNode resultsJson(ReferenceEvalResults r) {
    ReferenceEvalSettings s = r.settings();
    ObjectNode root = JSON.createObjectNode();
    root.put("kind", "eval");
    root.put("engine", "reference");
    root.put("complete", r.complete());
    if (r.error() != null) {
      root.put("error", r.error());
    }
    root.put("operatorVersion", BuildInfo.version());
    root.put("targetModel", s.targetModel().toString());
    root.put("speculator", s.speculator().toString());
    ObjectNode settings = root.putObject("settings");
    settings.put("numSpeculativeTokens", s.numSpeculativeTokens());
    if (s.maxRequests() == null) {
      settings.putNull("maxRequests");
    } else {
      settings.put("maxRequests", s.maxRequests());
    }
    settings.put("maxOutputTokens", s.maxOutputTokens());
    settings.put("sampling", "greedy");
    settings.put("untrainedBaseline", s.untrainedBaseline());
    settings.put("losslessCheck", s.checkLossless());
    ArrayNode datasets = root.putArray("datasets");
    for (ReferenceDatasetResult d : r.datasets()) {
      ObjectNode n = datasets.addObject();
      n.put("name", d.dataset().name());
      n.put("source", d.dataset().spec());
      n.put("file", d.dataset().file().toString());
      n.put("prompts", d.prompts());
      n.put("outputTokens", d.outputTokens());
      n.put("targetForwardPasses", d.targetPasses());
      n.set("counters", EvalOutputs.counters(d.counters()));
      n.set("acceptance", EvalOutputs.acceptance(d.acceptance()));
      if (d.untrained() != null) {
        ObjectNode u = n.putObject("untrainedDraft");
        u.set("counters", EvalOutputs.counters(d.untrained()));
        u.set("acceptance", EvalOutputs.acceptance(d.untrainedAcceptance()));
        u.put("targetForwardPasses", d.untrainedTargetPasses());
      } else {
        n.putNull("untrainedDraft");
      }
      n.put("losslessChecked", d.losslessChecked());
      n.put("seconds", round(d.seconds(), 3));
    }
    ObjectNode pooled = root.putObject("pooled");
    pooled.put("datasets", r.datasets().size());
    pooled.put("prompts", r.prompts());
    pooled.put("outputTokens", r.outputTokens());
    pooled.put("targetForwardPasses", r.targetPasses());
    if (r.datasets().isEmpty()) {
      pooled.putNull("counters");
      pooled.putNull("acceptance");
      pooled.putNull("untrainedDraft");
    } else {
      pooled.set("counters", EvalOutputs.counters(r.pooled()));
      pooled.set("acceptance", EvalOutputs.acceptance(r.pooledAcceptance()));
      if (r.pooledUntrained() != null) {
        ObjectNode u = pooled.putObject("untrainedDraft");
        u.set("counters", EvalOutputs.counters(r.pooledUntrained()));
        u.set("acceptance", EvalOutputs.acceptance(r.pooledUntrainedAcceptance()));
      } else {
        pooled.putNull("untrainedDraft");
      }
    }
    return root;
  }

  /** The compact summary (termination message): the vLLM path's acceptance keys. */
  public static ObjectNode summary(ReferenceEvalResults r) {
    ObjectNode n = JSON.createObjectNode();
    n.put("kind", "eval");
    n.put("engine", "reference");
    if (r.error() != null) {
      n.put("error", r.error().length() > 1024 ? r.error().substring(0, 1021) + "..." : r.error());
    }
    if (r.datasets().isEmpty()) {
      n.put("datasets", 0);
      return n;
    }
    AcceptanceReport a = r.pooledAcceptance();
    n.put("meanAcceptanceLength", round(a.meanAcceptanceLength(), 3));
    rounded(n.putArray("perPositionAcceptance"), a.perPositionAcceptance());
    rounded(n.putArray("conditionalAcceptance"), a.conditionalAcceptance());
    n.put("acceptanceRate", round(a.acceptanceRate(), 4));
    n.put("drafts", a.drafts());
    n.put("draftTokens", a.draftTokens());
    n.put("acceptedTokens", a.acceptedTokens());
    if (a.noDrafts()) {
      n.put("noDrafts", true);
    }
    AcceptanceReport u = r.pooledUntrainedAcceptance();
    if (u != null) {
      n.put("untrainedMeanAcceptanceLength", round(u.meanAcceptanceLength(), 3));
    }
    n.put("outputTokens", r.outputTokens());
    n.put("targetForwardPasses", r.targetPasses());
    n.put("datasets", r.datasets().size());
    return n;
  }

  /** The table for people: one row per dataset (and pooled), trained and untrained draft. */
  public static String table(ReferenceEvalResults r) {
    StringBuilder b = new StringBuilder();
    int k = r.settings().numSpeculativeTokens();
    b.append(
        String.format(
            Locale.ROOT,
            "%-22s %-10s %7s %8s  %-" + (7 * k) + "s %s%n",
            "dataset",
            "draft",
            "drafts",
            "mean AL",
            "per-position",
            "conditional"));
    for (ReferenceDatasetResult d : r.datasets()) {
      row(b, d.dataset().name(), "trained", d.acceptance());
      if (d.untrained() != null) {
        row(b, "", "untrained", d.untrainedAcceptance());
      }
    }
    if (r.datasets().size() > 1) {
      row(b, DatasetResolver.POOLED, "trained", r.pooledAcceptance());
      if (r.pooledUntrainedAcceptance() != null) {
        row(b, "", "untrained", r.pooledUntrainedAcceptance());
      }
    }
    return b.toString();
  }

  private static void row(StringBuilder b, String name, String draft, AcceptanceReport a) {
    b.append(
        String.format(
            Locale.ROOT,
            "%-22s %-10s %7d %8.3f  %s  %s%n",
            name,
            draft,
            a.drafts(),
            a.meanAcceptanceLength(),
            rates(a.perPositionAcceptance()),
            rates(a.conditionalAcceptance())));
  }

  static String rates(double[] v) {
    StringBuilder b = new StringBuilder();
    for (double x : v) {
      b.append(b.length() == 0 ? "" : " ")
          .append(Double.isFinite(x) ? String.format(Locale.ROOT, "%6.3f", x) : "     -");
    }
    return b.toString();
  }

  private static void rounded(ArrayNode a, double[] values) {
    for (double v : values) {
      if (Double.isFinite(v)) {
        a.add(round(v, 4));
      } else {
        a.addNull();
      }
    }
  }

  private static double round(double v, int decimals) {
    return Double.isFinite(v)
        ? new BigDecimal(v).setScale(decimals, RoundingMode.HALF_EVEN).doubleValue()
        : v;
  }
}
