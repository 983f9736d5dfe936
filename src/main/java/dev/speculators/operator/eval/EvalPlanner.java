package dev.speculators.operator.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.api.EvalBenchmarkResult;
import dev.speculators.api.EvalPhase;
import dev.speculators.api.EvalPresets;
import dev.speculators.api.EvalProgress;
import dev.speculators.api.EvalResults;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.api.SpeculatorEval;
import dev.speculators.api.SpeculatorEvalSpec;
import dev.speculators.api.SpeculatorEvalStatus;
import dev.speculators.api.SpeculatorTraining;
import dev.speculators.api.TrainingPhase;
import dev.speculators.api.common.Children;
import dev.speculators.api.common.ModelSource;
import dev.speculators.operator.kube.Labels;
import dev.speculators.operator.kube.Owners;
import dev.speculators.operator.kube.WorkloadSettings;
import dev.speculators.operator.pods.EvalWorkload;
import dev.speculators.operator.pods.StoragePlan;
import dev.speculators.operator.status.Outcome;
import dev.speculators.operator.status.Reason;
import dev.speculators.operator.status.StatusConditions;
import dev.speculators.operator.workload.FinishedPods;
import dev.speculators.operator.workload.JobState;
import dev.speculators.operator.workload.Plan;
import dev.speculators.operator.workload.PodDiagnosis;
import dev.speculators.operator.workload.ProgressRates;
import dev.speculators.operator.workload.Statuses;
import dev.speculators.operator.workload.TerminationMessages;
import dev.speculators.operator.workload.WorkerSummaries;
import dev.speculators.operator.workload.WorkloadOutcome;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides what a SpeculatorEval needs, as a pure function of what was observed: where the
 * speculator and the target model are (waiting for a referenced training's final speculator), the
 * results storage and the eval Job, and the status with the benchmark's acceptance and throughput.
 */
public final class EvalPlanner {
  /** Where the evaluation leaves its summary: one pod, its {@code eval} container. */
  static final FinishedPods.Shape SUMMARY =
      new FinishedPods.Shape(EvalWorkload.CONTAINER, "eval", false, 1);

  /** Default size of a created results volume. */
  public static final String DEFAULT_SIZE = "1Gi";

  /** Suffix of a created results volume's name. */
  public static final String CLAIM_SUFFIX = "eval-results";

  private EvalPlanner() {}

  /** The training a SpeculatorEval refers to, or null. */
  public static String trainingName(SpeculatorEval e) {
    return e.getSpec().speculator != null && e.getSpec().speculator.trainingRef != null
        ? e.getSpec().speculator.trainingRef.name
        : null;
  }

  /**
   * The dataset whose target model an eval of {@code training} uses, when neither the eval nor the
   * training names the model (the training trains on a referenced dataset), or null.
   */
  public static String targetDatasetName(SpeculatorEval e, Optional<SpeculatorTraining> training) {
    if (e.getSpec().targetModel != null || training.isEmpty()) {
      return null;
    }
    SpeculatorTraining t = training.get();
    if (t.getSpec().targetModel != null || t.getSpec().dataset.template != null) {
      return null;
    }
    return t.getSpec().dataset.ref == null ? null : t.getSpec().dataset.ref.name;
  }

  /** The plan for the observed eval at {@code now}. */
  public static Plan<SpeculatorEvalStatus> plan(
      EvalObservation o, WorkloadSettings settings, Instant now) {
    SpeculatorEval e = o.eval();
    SpeculatorEvalStatus previous = e.getStatus();
    Long generation = e.getMetadata().getGeneration();
    SpeculatorEvalStatus next =
        previous == null
            ? new SpeculatorEvalStatus()
            : Statuses.copy(previous, SpeculatorEvalStatus.class);
    next.observedGeneration = generation;

    // Finished work is never redone, and results once read stay as read.
    boolean finished =
        previous != null
            && (previous.phase == EvalPhase.SUCCEEDED || previous.phase == EvalPhase.FAILED);
    boolean resultsRead =
        previous != null && previous.phase == EvalPhase.SUCCEEDED && previous.results != null;
    if (finished && (o.job().isEmpty() || resultsRead)) {
      Outcome kept =
          Statuses.lastOutcome(previous)
              .orElse(
                  Outcome.of(
                      previous.phase == EvalPhase.SUCCEEDED ? Reason.Succeeded : Reason.JobFailed,
                      previous.message));
      StatusConditions.apply(next, kept, generation, now);
      return new Plan<>(List.of(), next, Statuses.name(previous.phase), kept, null);
    }
    if (next.phase == null) {
      next.phase = EvalPhase.PENDING;
    }

    SpeculatorEvalSpec resolved = EvalPresets.resolve(e.getSpec());
    StoragePlan storage = StoragePlan.of(e, e.getSpec().storage, CLAIM_SUFFIX, DEFAULT_SIZE);
    next.children = new Children();
    next.children.job = EvalWorkload.jobName(e);
    next.children.persistentVolumeClaim = storage.created() != null ? storage.claimName() : null;
    if (resolved.datasets == null || resolved.datasets.isEmpty()) {
      return hold(
          next,
          Outcome.of(
              Reason.InvalidSpec, "datasets: no benchmark datasets (set datasets or preset)"),
          generation,
          now);
    }

    // where the speculator is
    EvalWorkload.SpeculatorLocation speculator;
    String trainingName = trainingName(e);
    if (trainingName != null) {
      if (o.training().isEmpty()) {
        return hold(
            next,
            Outcome.of(
                Reason.TrainingNotFound,
                "SpeculatorTraining " + trainingName + " (speculator.trainingRef) does not exist"),
            generation,
            now);
      }
      SpeculatorTraining t = o.training().get();
      var tr = t.getStatus() == null ? null : t.getStatus().results;
      if (tr == null || tr.finalPath == null || tr.claimName == null) {
        TrainingPhase tp = t.getStatus() == null ? null : t.getStatus().phase;
        if (tp == TrainingPhase.FAILED) {
          return hold(
              next,
              Outcome.of(
                  Reason.TrainingFailed,
                  "SpeculatorTraining "
                      + trainingName
                      + " failed without a final speculator: "
                      + t.getStatus().message),
              generation,
              now);
        }
        return hold(
            next,
            Outcome.of(
                Reason.WaitingForTraining,
                "waiting for SpeculatorTraining "
                    + trainingName
                    + ": "
                    + (tp == null ? "not started" : Statuses.name(tp))),
            generation,
            now);
      }
      Outcome tooLong =
          contextTooLong(
              resolved,
              tr.maxPositionEmbeddings,
              "SpeculatorTraining " + trainingName + " exported (its verifier's)");
      if (tooLong != null) {
        return hold(next, tooLong, generation, now);
      }
      speculator = EvalWorkload.SpeculatorLocation.volume(tr.claimName, tr.finalPath);
    } else if (resolved.speculator != null
        && (resolved.speculator.path != null || resolved.speculator.hfId != null)) {
      Outcome tooLong =
          contextTooLong(
              resolved,
              o.draftMaxPositions().orElse(null),
              resolved.speculator.hfId != null
                  ? resolved.speculator.hfId
                  : resolved.speculator.path.path);
      if (tooLong != null) {
        return hold(next, tooLong, generation, now);
      }
      if (resolved.speculator.path != null) {
        var p = resolved.speculator.path;
        speculator =
            EvalWorkload.SpeculatorLocation.volume(
                p.claimName != null ? p.claimName : storage.claimName(), p.path);
      } else {
        speculator =
            EvalWorkload.SpeculatorLocation.hub(
                resolved.speculator.hfId, resolved.speculator.revision);
      }
    } else {
      return hold(
          next,
          Outcome.of(Reason.InvalidSpec, "speculator: set trainingRef, path or hfId"),
          generation,
          now);
    }

    // the target model
    ModelSource target = resolved.targetModel;
    if (target == null && o.training().isPresent()) {
      SpeculatorTraining t = o.training().get();
      if (t.getSpec().targetModel != null) {
        target = t.getSpec().targetModel;
      } else if (t.getSpec().dataset.template != null) {
        target = t.getSpec().dataset.template.targetModel;
      } else {
        target =
            o.trainingDataset()
                .map(HiddenStateDataset::getSpec)
                .map(s -> s.targetModel)
                .orElse(null);
      }
    }
    if (target == null) {
      return hold(
          next,
          Outcome.of(
              Reason.InvalidSpec,
              "targetModel: cannot be determined"
                  + (trainingName == null
                      ? ""
                      : " (the dataset of SpeculatorTraining " + trainingName + " is gone)")),
          generation,
          now);
    }

    List<HasMetadata> create = new ArrayList<>();
    if (storage.created() != null
        && o.claim().isPresent()
        && !Labels.isChildOf(o.claim().get(), e)) {
      return hold(
          next,
          Outcome.of(
              Reason.NameConflict,
              "PersistentVolumeClaim "
                  + storage.claimName()
                  + " exists and was not created for this evaluation"),
          generation,
          now);
    }
    if (storage.created() != null && o.claim().isEmpty()) {
      create.add(storage.created());
    }
    EvalWorkload workload = new EvalWorkload(e, resolved, target, speculator, storage, settings);
    if (o.job().isEmpty()) {
      create.add(workload.job());
      next.progress = progress(workload.benchmarks(), 0);
      Outcome pending = Outcome.of(Reason.PodsStarting, "creating Job " + EvalWorkload.jobName(e));
      StatusConditions.apply(next, pending, generation, now);
      return new Plan<>(create, next, Statuses.name(next.phase), pending, null);
    }
    if (!Owners.isControlledBy(o.job().get(), e)) {
      return hold(
          next,
          Outcome.of(
              Reason.NameConflict,
              "Job "
                  + o.job().get().getMetadata().getName()
                  + " exists and does not belong to this evaluation"),
          generation,
          now);
    }

    JobState job = JobState.of(o.job().get());
    int done =
        o.liveProgress()
            .map(p -> p.path("benchmarksCompleted").asInt(p.path("completed").asInt(0)))
            .orElse(0);
    // the container counts resolved datasets (a Hub dataset or a folder may hold several files)
    int known =
        previous != null && previous.progress != null && previous.progress.benchmarksTotal != null
            ? previous.progress.benchmarksTotal
            : workload.benchmarks();
    int total = o.liveProgress().map(p -> p.path("benchmarksTotal").asInt(known)).orElse(known);
    next.progress = progress(total, done);
    rates(
        next.progress,
        o.liveProgress().orElse(null),
        next.startTime != null ? next.startTime : job.startTime(),
        previous == null || previous.progress == null ? null : previous.progress.eta,
        now);
    if (next.startTime == null && job.startTime() != null) {
      next.startTime = job.startTime();
    }
    Outcome outcome =
        WorkloadOutcome.of(
            new WorkloadOutcome.Observed(
                job, o.pods(), EvalWorkload.CONTAINER, o.failedCreate(), resolved.queueName),
            Reason.Evaluating,
            "benchmarking: " + next.progress.summary);
    Duration collecting = null;
    switch (outcome.state()) {
      case SUCCEEDED -> {
        // The Job's completion is not final until the eval container's summary was read.
        WorkerSummaries.Read read = WorkerSummaries.of(job, o.pods(), SUMMARY, now);
        if (read.pending()) {
          next.phase = EvalPhase.RUNNING;
          outcome = read.collecting(job.name(), "the eval summary");
          collecting = settings.podlessRecheckInterval();
          break;
        }
        next.phase = EvalPhase.SUCCEEDED;
        next.results = results(storage, read.single().orElse(null), previous);
        next.progress = progress(total, total);
        if (read.single().isPresent()) {
          outcome = Outcome.of(Reason.Succeeded, describe(next.results));
        } else {
          next.results.missingSummary =
              "the eval summary: " + read.describe(WorkerSummaries.State.LOST);
          outcome =
              Outcome.of(
                  Reason.SummaryUnavailable,
                  "evaluated; acceptance and throughput are unknown ("
                      + next.results.missingSummary
                      + "); per-dataset results may be in "
                      + next.results.claimName
                      + ":"
                      + next.results.resultsPath);
        }
      }
      case FAILED -> next.phase = EvalPhase.FAILED;
      default -> {
        if (outcome.reason() == Reason.Evaluating || outcome.reason() == Reason.Retrying) {
          next.phase = EvalPhase.RUNNING;
        }
      }
    }
    if (outcome.terminal() && next.completionTime == null) {
      next.completionTime =
          job.completionTime() != null ? job.completionTime() : Statuses.time(now);
    }
    StatusConditions.apply(next, outcome, generation, now);
    Duration requeue =
        collecting != null
            ? collecting
            : !outcome.terminal() && o.pods().stream().noneMatch(PodDiagnosis::live)
                ? settings.podlessRecheckInterval()
                : null;
    return new Plan<>(create, next, Statuses.name(next.phase), outcome, requeue);
  }

  private static Plan<SpeculatorEvalStatus> hold(
      SpeculatorEvalStatus next, Outcome outcome, Long generation, Instant now) {
    StatusConditions.apply(next, outcome, generation, now);
    return new Plan<>(List.of(), next, Statuses.name(next.phase), outcome, null);
  }

  /**
   * Benchmarks per hour, elapsed time and ETA while the eval container runs: from its {@code
   * PROGRESS} line when it reports them, else from the benchmarks done since the Job started
   * (elapsed time in whole minutes, so that the status changes at most once a minute).
   */
  private static void rates(
      EvalProgress p, ObjectNode live, String startTime, String previousEta, Instant now) {
    if (live == null || p.benchmarksCompleted == null || p.benchmarksTotal == null) {
      return;
    }
    Double elapsed =
        live.hasNonNull("elapsedSeconds") ? live.get("elapsedSeconds").asDouble() : null;
    if (elapsed == null && startTime != null) {
      try {
        long s = java.time.Duration.between(Instant.parse(startTime), now).toSeconds();
        elapsed = (double) (s - s % 60);
      } catch (java.time.format.DateTimeParseException e) {
        elapsed = null;
      }
    }
    if (elapsed == null || elapsed <= 0 || p.benchmarksCompleted <= 0) {
      return;
    }
    double perSecond = p.benchmarksCompleted / elapsed;
    p.elapsedSeconds = Math.round(elapsed);
    p.rate = ProgressRates.number(perSecond * 3600) + " benchmarks/h";
    Double remaining =
        live.hasNonNull("etaSeconds")
            ? live.get("etaSeconds").asDouble()
            : (p.benchmarksTotal - p.benchmarksCompleted) / perSecond;
    ProgressRates.eta(p, previousEta, now, remaining);
  }

  private static EvalProgress progress(int total, int done) {
    EvalProgress p = new EvalProgress();
    p.benchmarksTotal = total;
    p.benchmarksCompleted = done;
    p.summary = done + "/" + total + " benchmarks";
    return p;
  }

  private static EvalResults results(
      StoragePlan storage, ObjectNode s, SpeculatorEvalStatus previous) {
    EvalResults r =
        previous != null && previous.results != null
            ? Statuses.copy(previous.results, EvalResults.class)
            : new EvalResults();
    r.claimName = storage.claimName();
    r.resultsPath = storage.resolve("results.json");
    if (s != null) {
      r.missingSummary = null;
      r.meanAcceptanceLength = TerminationMessages.number(s, "meanAcceptanceLength");
      r.perPositionAcceptance = TerminationMessages.numbers(s.get("perPositionAcceptance"));
      r.conditionalAcceptance = TerminationMessages.numbers(s.get("conditionalAcceptance"));
      r.untrainedMeanAcceptanceLength =
          TerminationMessages.number(s, "untrainedMeanAcceptanceLength");
      r.drafts = TerminationMessages.integer(s, "drafts");
      r.draftTokens = TerminationMessages.integer(s, "draftTokens");
      r.acceptedTokens = TerminationMessages.integer(s, "acceptedTokens");
      r.outputTokensPerSecond = TerminationMessages.number(s, "outputTokensPerSecond");
      r.baselineOutputTokensPerSecond =
          TerminationMessages.number(s, "baselineOutputTokensPerSecond");
      r.speedup = TerminationMessages.number(s, "speedup");
      r.ttftMsMedian = TerminationMessages.number(s, "ttftMsMedian");
      r.itlMsMedian = TerminationMessages.number(s, "itlMsMedian");
      r.benchmarks = benchmarks(s.get("benchmarks"));
      Long omitted = TerminationMessages.integer(s, "benchmarksOmitted");
      r.benchmarksOmitted = omitted == null ? null : omitted.intValue();
    }
    return r;
  }

  /** The per-benchmark entries of a multi-benchmark run, or null when there are none. */
  static List<EvalBenchmarkResult> benchmarks(JsonNode list) {
    if (list == null || !list.isArray()) {
      return null;
    }
    List<EvalBenchmarkResult> out = new ArrayList<>();
    for (JsonNode e : list) {
      EvalBenchmarkResult b = new EvalBenchmarkResult();
      b.dataset = e.path("dataset").asText(null);
      b.strategy = e.path("strategy").asText(null);
      b.outputTokensPerSecond = TerminationMessages.number(e, "outputTokensPerSecond");
      b.requestsPerSecond = TerminationMessages.number(e, "requestsPerSecond");
      b.ttftMsMedian = TerminationMessages.number(e, "ttftMsMedian");
      b.itlMsMedian = TerminationMessages.number(e, "itlMsMedian");
      b.erroredRequests = TerminationMessages.integer(e, "erroredRequests");
      b.baselineOutputTokensPerSecond =
          TerminationMessages.number(e, "baselineOutputTokensPerSecond");
      out.add(b);
    }
    return out;
  }

  private static String describe(EvalResults r) {
    StringBuilder s = new StringBuilder("evaluated");
    if (r.meanAcceptanceLength != null) {
      s.append(String.format(Locale.ROOT, ": mean acceptance length %.3f", r.meanAcceptanceLength));
    }
    if (r.untrainedMeanAcceptanceLength != null) {
      s.append(
          String.format(Locale.ROOT, " (untrained draft %.3f)", r.untrainedMeanAcceptanceLength));
    }
    if (r.outputTokensPerSecond != null) {
      s.append(String.format(Locale.ROOT, ", %.1f output tokens/s", r.outputTokensPerSecond));
    }
    if (r.speedup != null) {
      s.append(String.format(Locale.ROOT, ", speedup %.2fx", r.speedup));
    }
    return s.append("; results in ")
        .append(r.claimName)
        .append(':')
        .append(r.resultsPath)
        .toString();
  }

  /**
   * InvalidSpec when {@code vllm.maxModelLen} exceeds the speculator's {@code
   * max_position_embeddings}: vLLM refuses to start such a draft. Null when it fits or either is
   * unknown.
   */
  private static Outcome contextTooLong(
      SpeculatorEvalSpec resolved, Integer draftMaxPositions, String speculator) {
    Integer maxModelLen = resolved.vllm == null ? null : resolved.vllm.maxModelLen;
    if (maxModelLen == null || draftMaxPositions == null || maxModelLen <= draftMaxPositions) {
      return null;
    }
    return Outcome.of(
        Reason.InvalidSpec,
        "vllm.maxModelLen "
            + maxModelLen
            + " exceeds max_position_embeddings "
            + draftMaxPositions
            + " of the speculator "
            + speculator
            + "; vLLM would refuse to start: use a vllm.maxModelLen of at most "
            + draftMaxPositions);
  }
}
