package dev.speculators.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.BuildInfo;
import dev.speculators.eval.AcceptanceReport;
import dev.speculators.eval.EvalOutputs;
import dev.speculators.eval.SpecDecodeCounters;
import dev.speculators.io.StorageCheck;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What a local run produced: per dataset its size, per training its loss and per-step accuracies,
 * per evaluation the acceptance of the trained draft next to an untrained draft of the same shape.
 * Printed for people at the end of {@code run} and written as {@code report.json} (top-level {@code
 * trained} and {@code untrained} are those of the last evaluation).
 */
public record RunReport(
    Path file,
    Path output,
    List<DatasetOutcome> datasets,
    List<TrainingOutcome> trainings,
    List<EvalOutcome> evaluations,
    double wallSeconds) {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public RunReport {
    datasets = List.copyOf(datasets);
    trainings = List.copyOf(trainings);
    evaluations = List.copyOf(evaluations);
  }

  /**
   * A generated (or reused) dataset.
   *
   * @param reusedFrom the directory of an equal dataset whose data it uses, or null
   * @param contentHash its content hash
   * @param estimatedBytes the storage pre-flight's estimate, or -1 (reused)
   * @param writtenBytes the bytes of its directory, or -1 (reused)
   */
  public record DatasetOutcome(
      String name,
      Path dir,
      long samples,
      long tokens,
      double seconds,
      Path reusedFrom,
      String contentHash,
      long estimatedBytes,
      long writtenBytes) {

    /** Samples written per second of generation (0 for a reused dataset). */
    public double samplesPerSecond() {
      return reusedFrom != null || seconds <= 0 ? 0 : samples / seconds;
    }

    /** Tokens written per second of generation (0 for a reused dataset). */
    public double tokensPerSecond() {
      return reusedFrom != null || seconds <= 0 ? 0 : tokens / seconds;
    }
  }

  /**
   * A finished training.
   *
   * @param accuracySource "validation" when the accuracies are the last validation's, else
   *     "training"
   */
  public record TrainingOutcome(
      String name,
      Path dir,
      int epochs,
      long steps,
      double trainLoss,
      double valLoss,
      double[] fullAcc,
      double[] condAcc,
      String accuracySource,
      Path finalDir,
      long tokens,
      long stepsRun,
      double seconds) {

    /** Optimizer steps per second in this run (a resumed training counts only its new steps). */
    public double stepsPerSecond() {
      return seconds <= 0 ? 0 : stepsRun / seconds;
    }

    /** Training tokens per second. */
    public double tokensPerSecond() {
      return seconds <= 0 ? 0 : tokens / seconds;
    }
  }

  /**
   * A finished evaluation.
   *
   * @param untrained the untrained draft's counters, or null
   * @param gate the training's minimum mean acceptance length, or null
   */
  public record EvalOutcome(
      String name,
      Path dir,
      int numSpeculativeTokens,
      int prompts,
      long outputTokens,
      int targetPasses,
      SpecDecodeCounters trained,
      SpecDecodeCounters untrained,
      boolean losslessChecked,
      Double gate,
      double seconds) {

    public AcceptanceReport trainedAcceptance() {
      return AcceptanceReport.of(trained);
    }

    public AcceptanceReport untrainedAcceptance() {
      return untrained == null ? null : AcceptanceReport.of(untrained);
    }

    public boolean gatePassed() {
      return gate == null || trainedAcceptance().meanAcceptanceLength() >= gate;
    }

    /** Prompts decoded per second. */
    public double promptsPerSecond() {
      return seconds <= 0 ? 0 : prompts / seconds;
    }

    /** Output tokens per second. */
    public double outputTokensPerSecond() {
      return seconds <= 0 ? 0 : outputTokens / seconds;
    }
  }

  public ObjectNode toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("kind", "run");
    root.put("operatorVersion", BuildInfo.version());
    root.put("file", file.toString());
    root.put("output", output.toString());
    root.put("wallSeconds", round(wallSeconds, 1));
    ObjectNode phases = root.putObject("phaseSeconds");
    phases.put("datagen", round(datasets.stream().mapToDouble(DatasetOutcome::seconds).sum(), 1));
    phases.put(
        "training", round(trainings.stream().mapToDouble(TrainingOutcome::seconds).sum(), 1));
    phases.put(
        "evaluation", round(evaluations.stream().mapToDouble(EvalOutcome::seconds).sum(), 1));
    ArrayNode ds = root.putArray("datasets");
    for (DatasetOutcome d : datasets) {
      ObjectNode n = ds.addObject();
      n.put("name", d.name());
      n.put("path", d.dir().toString());
      n.put("samples", d.samples());
      n.put("tokens", d.tokens());
      n.put("seconds", round(d.seconds(), 1));
      n.put("contentHash", d.contentHash());
      n.put("reusedFrom", d.reusedFrom() == null ? null : d.reusedFrom().toString());
      n.put("samplesPerSecond", round(d.samplesPerSecond(), 2));
      n.put("tokensPerSecond", round(d.tokensPerSecond(), 1));
      if (d.estimatedBytes() >= 0) {
        n.put("estimatedBytes", d.estimatedBytes());
        n.put("writtenBytes", d.writtenBytes());
      }
    }
    ArrayNode ts = root.putArray("trainings");
    for (TrainingOutcome t : trainings) {
      ObjectNode n = ts.addObject();
      n.put("name", t.name());
      n.put("path", t.dir().toString());
      n.put("epochs", t.epochs());
      n.put("steps", t.steps());
      num(n, "trainLoss", t.trainLoss());
      num(n, "validationLoss", t.valLoss());
      n.put("accuracySource", t.accuracySource());
      nums(n.putArray("fullAccuracy"), t.fullAcc());
      nums(n.putArray("conditionalAccuracy"), t.condAcc());
      n.put("final", t.finalDir() == null ? null : t.finalDir().toString());
      n.put("seconds", round(t.seconds(), 1));
      n.put("stepsPerSecond", round(t.stepsPerSecond(), 2));
      n.put("tokensPerSecond", round(t.tokensPerSecond(), 1));
    }
    ArrayNode es = root.putArray("evaluations");
    for (EvalOutcome e : evaluations) {
      ObjectNode n = es.addObject();
      n.put("name", e.name());
      n.put("path", e.dir().toString());
      n.put("numSpeculativeTokens", e.numSpeculativeTokens());
      n.put("prompts", e.prompts());
      n.put("outputTokens", e.outputTokens());
      n.put("targetForwardPasses", e.targetPasses());
      n.set("trained", acceptance(e.trained()));
      if (e.untrained() != null) {
        n.set("untrained", acceptance(e.untrained()));
      } else {
        n.putNull("untrained");
      }
      n.put("losslessChecked", e.losslessChecked());
      n.put("promptsPerSecond", round(e.promptsPerSecond(), 2));
      n.put("outputTokensPerSecond", round(e.outputTokensPerSecond(), 1));
      if (e.gate() != null) {
        n.put("acceptanceGate", e.gate());
        n.put("acceptanceGatePassed", e.gatePassed());
      }
      n.put("seconds", round(e.seconds(), 1));
    }
    if (!evaluations.isEmpty()) {
      EvalOutcome last = evaluations.get(evaluations.size() - 1);
      root.set("trained", acceptance(last.trained()));
      if (last.untrained() != null) {
        root.set("untrained", acceptance(last.untrained()));
      }
    }
    return root;
  }

  private static ObjectNode acceptance(SpecDecodeCounters c) {
    ObjectNode n = EvalOutputs.acceptance(AcceptanceReport.of(c));
    n.set("counters", EvalOutputs.counters(c));
    return n;
  }

  /** The report for people. */
  public String toText() {
    StringBuilder b = new StringBuilder();
    b.append("\nSpeculators local run: ").append(file).append('\n');
    b.append(String.format(Locale.ROOT, "  output %s, wall time %.1f s%n", output, wallSeconds));
    for (DatasetOutcome d : datasets) {
      if (d.reusedFrom() != null) {
        b.append(
            String.format(
                Locale.ROOT,
                "%nDataset %s: reused %s (same content hash), %d samples, %d tokens%n",
                d.name(),
                d.reusedFrom(),
                d.samples(),
                d.tokens()));
        continue;
      }
      b.append(
          String.format(
              Locale.ROOT,
              "%nDataset %s: %d samples, %d tokens (%.1f s, %.1f samples/s, %.0f tokens/s)%n  %s%n",
              d.name(),
              d.samples(),
              d.tokens(),
              d.seconds(),
              d.samplesPerSecond(),
              d.tokensPerSecond(),
              d.dir()));
      if (d.estimatedBytes() >= 0) {
        b.append(
            String.format(
                Locale.ROOT,
                "  storage: estimated %s before generating, wrote %s%n",
                StorageCheck.human(d.estimatedBytes()),
                StorageCheck.human(d.writtenBytes())));
      }
    }
    for (TrainingOutcome t : trainings) {
      b.append(
          String.format(
              Locale.ROOT,
              "%nTraining %s: %d epoch(s), %d steps, train loss %s, validation loss %s"
                  + " (%.1f s, %.2f steps/s, %.0f tokens/s)%n",
              t.name(),
              t.epochs(),
              t.steps(),
              fmt(t.trainLoss(), 4),
              fmt(t.valLoss(), 4),
              t.seconds(),
              t.stepsPerSecond(),
              t.tokensPerSecond()));
      b.append(
          String.format(
              Locale.ROOT,
              "  per-step accuracy (%s): full %s, conditional %s%n",
              t.accuracySource(),
              rates(t.fullAcc()),
              rates(t.condAcc())));
      b.append("  speculator ").append(t.finalDir()).append('\n');
    }
    for (EvalOutcome e : evaluations) {
      b.append(
          String.format(
              Locale.ROOT,
              "%nEvaluation %s: %d prompts, %d output tokens, K=%d, greedy (%.1f s, %.2f prompts/s,"
                  + " %.0f output tokens/s)%n",
              e.name(),
              e.prompts(),
              e.outputTokens(),
              e.numSpeculativeTokens(),
              e.seconds(),
              e.promptsPerSecond(),
              e.outputTokensPerSecond()));
      b.append(
          String.format(
              Locale.ROOT,
              "  %-16s %12s  %-" + (7 * e.numSpeculativeTokens()) + "s  %s%n",
              "",
              "mean accept.",
              "per-position",
              "conditional"));
      row(b, "trained draft", e.trainedAcceptance());
      if (e.untrained() != null) {
        row(b, "untrained draft", e.untrainedAcceptance());
      }
      b.append(
          String.format(
              Locale.ROOT,
              "  target forward passes per output token: %.3f (1 without speculation)%n",
              e.outputTokens() == 0 ? Double.NaN : (double) e.targetPasses() / e.outputTokens()));
      if (e.losslessChecked()) {
        b.append("  outputs identical to plain greedy decoding: yes (checked for every prompt)\n");
      }
      if (e.gate() != null) {
        b.append(
            String.format(
                Locale.ROOT,
                "  acceptance gate: mean acceptance length >= %.3f %s%n",
                e.gate(),
                e.gatePassed() ? "passed" : "NOT MET"));
      }
    }
    return b.toString();
  }

  private static void row(StringBuilder b, String label, AcceptanceReport a) {
    b.append(
        String.format(
            Locale.ROOT,
            "  %-16s %12.3f  %s  %s%n",
            label,
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
    return b.length() == 0 ? "-" : b.toString();
  }

  private static String fmt(double v, int decimals) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + decimals + "f", v) : "n/a";
  }

  private static void num(ObjectNode n, String key, double v) {
    if (Double.isFinite(v)) {
      n.put(key, v);
    } else {
      n.putNull(key);
    }
  }

  private static void nums(ArrayNode a, double[] values) {
    for (double v : values) {
      if (Double.isFinite(v)) {
        a.add(v);
      } else {
        a.addNull();
      }
    }
  }

  private static double round(double v, int decimals) {
    double f = Math.pow(10, decimals);
    return Math.round(v * f) / f;
  }
}
