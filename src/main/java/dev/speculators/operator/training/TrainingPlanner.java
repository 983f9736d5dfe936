package dev.speculators.operator.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.api.DatasetPhase;
import dev.speculators.api.EvalPhase;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.api.SpeculatorEval;
import dev.speculators.api.SpeculatorEvalSpec;
import dev.speculators.api.SpeculatorSource;
import dev.speculators.api.SpeculatorTraining;
import dev.speculators.api.SpeculatorTrainingSpec;
import dev.speculators.api.SpeculatorTrainingStatus;
import dev.speculators.api.TrainingPhase;
import dev.speculators.api.TrainingProgress;
import dev.speculators.api.TrainingResults;
import dev.speculators.api.common.Children;
import dev.speculators.api.common.ModelSource;
import dev.speculators.api.common.ResourceRef;
import dev.speculators.io.ProgressLine;
import dev.speculators.io.StorageCheck;
import dev.speculators.operator.kube.EventRecorder;
import dev.speculators.operator.kube.Labels;
import dev.speculators.operator.kube.Owners;
import dev.speculators.operator.kube.WorkloadSettings;
import dev.speculators.operator.pods.StoragePlan;
import dev.speculators.operator.pods.TrainerWorkload;
import dev.speculators.operator.preflight.StorageEstimates;
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
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides what a SpeculatorTraining needs, as a pure function of what was observed: its dataset
 * (wait for a referenced one, create an owned one from the template, or use a path), its output
 * storage and trainer Job, then the owned SpeculatorEval, and the status from all of them with the
 * acceptance gate applied to the evaluation's mean acceptance length.
 */
public final class TrainingPlanner {
  /** Where the trainer leaves its summary: one pod, its {@code train} container. */
  static final FinishedPods.Shape SUMMARY =
      new FinishedPods.Shape(TrainerWorkload.CONTAINER, "train", false, 1);

  /** Default size of a created output volume. */
  public static final String DEFAULT_SIZE = "100Gi";

  /** Suffix of a created output volume's name. */
  public static final String CLAIM_SUFFIX = "speculator";

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .configure(
              com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
              false);

  private TrainingPlanner() {}

  /** The name of the dataset a training trains on (ref or template), or null for a path. */
  public static String datasetName(SpeculatorTraining t) {
    if (t.getSpec().dataset.ref != null) {
      return t.getSpec().dataset.ref.name;
    }
    return t.getSpec().dataset.template != null ? t.getMetadata().getName() : null;
  }

  /** The name of the owned evaluation. */
  public static String evaluationName(SpeculatorTraining t) {
    return t.getMetadata().getName();
  }

  /** The plan for the observed training at {@code now}. */
  public static Plan<SpeculatorTrainingStatus> plan(
      TrainingObservation o, WorkloadSettings settings, Instant now) {
    SpeculatorTraining t = o.training();
    SpeculatorTrainingSpec spec = t.getSpec();
    SpeculatorTrainingStatus previous = t.getStatus();
    Long generation = t.getMetadata().getGeneration();
    SpeculatorTrainingStatus next =
        previous == null
            ? new SpeculatorTrainingStatus()
            : Statuses.copy(previous, SpeculatorTrainingStatus.class);
    next.observedGeneration = generation;
    boolean trained =
        previous != null && previous.results != null && previous.results.finalPath != null;

    if (o.job().isEmpty()
        && o.evaluation().isEmpty()
        && previous != null
        && (previous.phase == TrainingPhase.SUCCEEDED || previous.phase == TrainingPhase.FAILED)) {
      Outcome kept =
          Statuses.lastOutcome(previous)
              .orElse(
                  Outcome.of(
                      previous.phase == TrainingPhase.SUCCEEDED
                          ? Reason.Succeeded
                          : Reason.JobFailed,
                      previous.message));
      StatusConditions.apply(next, kept, generation, now);
      return new Plan<>(List.of(), next, Statuses.name(previous.phase), kept, null);
    }

    List<HasMetadata> create = new ArrayList<>();
    StoragePlan storage = StoragePlan.of(t, spec.storage, CLAIM_SUFFIX, DEFAULT_SIZE);
    next.children = children(t, storage);

    // 1. the data (not needed any more once the trainer finished)
    TrainerWorkload.DataLocation data = null;
    ModelSource target;
    if (trained) {
      target =
          spec.targetModel != null
              ? spec.targetModel
              : o.dataset().map(d -> d.getSpec().targetModel).orElse(null);
    } else if (spec.dataset.path != null) {
      String claim =
          spec.dataset.path.claimName != null ? spec.dataset.path.claimName : storage.claimName();
      data = new TrainerWorkload.DataLocation(claim, spec.dataset.path.path);
      target = spec.targetModel;
      if (spec.dataset.path.claimName == null && storage.created() != null && o.claim().isEmpty()) {
        create.add(storage.created());
      }
    } else {
      String name = datasetName(t);
      Optional<HiddenStateDataset> ds = o.dataset();
      if (ds.isEmpty()) {
        if (spec.dataset.template != null) {
          create.add(ownedDataset(t));
          return waiting(
              next,
              create,
              Outcome.of(
                  Reason.WaitingForDataset,
                  "creating HiddenStateDataset " + name + " from dataset.template"),
              generation,
              now,
              trained);
        }
        return waiting(
            next,
            create,
            Outcome.of(
                Reason.DatasetNotFound,
                "HiddenStateDataset " + name + " (dataset.ref) does not exist"),
            generation,
            now,
            trained);
      }
      HiddenStateDataset d = ds.get();
      if (spec.dataset.template != null && !Owners.isControlledBy(d, t)) {
        return waiting(
            next,
            create,
            Outcome.of(
                Reason.NameConflict,
                "HiddenStateDataset "
                    + name
                    + " exists and was not created from this training's dataset.template"),
            generation,
            now,
            trained);
      }
      DatasetPhase phase = d.getStatus() == null ? null : d.getStatus().phase;
      if (phase == DatasetPhase.FAILED) {
        return waiting(
            next,
            create,
            Outcome.of(
                Reason.DatasetFailed,
                "HiddenStateDataset " + name + " failed: " + d.getStatus().message),
            generation,
            now,
            trained);
      }
      if (phase != DatasetPhase.SUCCEEDED
          || d.getStatus().results == null
          || d.getStatus().results.claimName == null) {
        String where =
            d.getStatus() == null || phase == null
                ? "not started"
                : Statuses.name(phase)
                    + (d.getStatus().progress != null && d.getStatus().progress.summary != null
                        ? " (" + d.getStatus().progress.summary + ")"
                        : "");
        return waiting(
            next,
            create,
            Outcome.of(
                Reason.WaitingForDataset, "waiting for HiddenStateDataset " + name + ": " + where),
            generation,
            now,
            trained);
      }
      var r = d.getStatus().results;
      data =
          new TrainerWorkload.DataLocation(
              r.claimName,
              r.dataPath,
              r.hiddenSize,
              r.resolvedLayerIds == null ? null : r.resolvedLayerIds.size(),
              r.targetVocabSize);
      target = d.getSpec().targetModel;
    }
    if (target == null && !trained) {
      return waiting(
          next,
          create,
          Outcome.of(Reason.InvalidSpec, "no target model: set targetModel with dataset.path"),
          generation,
          now,
          false);
    }
    if (storage.created() != null
        && o.claim().isPresent()
        && !Labels.isChildOf(o.claim().get(), t)) {
      return waiting(
          next,
          create,
          Outcome.of(
              Reason.NameConflict,
              "PersistentVolumeClaim "
                  + storage.claimName()
                  + " exists and was not created for this training"),
          generation,
          now,
          trained);
    }
    // the storage pre-flight of the checkpoints and the final speculator, before anything of the
    // trainer exists
    List<EventRecorder.Note> notes = new ArrayList<>();
    if (!trained && o.job().isEmpty()) {
      Optional<StorageCheck> check =
          TrainingPreflight.check(spec, o.model(), o.dataset(), o.existingClaim());
      next.storage = check.map(c -> StorageEstimates.of(c, StorageEstimates.OPERATOR)).orElse(null);
      if (check.isPresent() && check.get().refuses()) {
        next.phase = TrainingPhase.FAILED;
        next.completionTime = Statuses.time(now);
        Outcome refused = Outcome.of(Reason.StorageTooSmall, check.get().message());
        StatusConditions.apply(next, refused, generation, now);
        return new Plan<>(List.of(), next, Statuses.name(next.phase), refused, null);
      }
      if (check.isPresent() && check.get().warns()) {
        notes.add(EventRecorder.Note.warning("StorageNearlyFull", check.get().message()));
      }
    }
    if (storage.created() != null && o.claim().isEmpty() && !create.contains(storage.created())) {
      create.add(storage.created());
    }

    // 2. the trainer
    Outcome outcome;
    if (!trained) {
      if (o.job().isEmpty()) {
        TrainerWorkload workload;
        try {
          workload = new TrainerWorkload(t, data, target, storage, settings);
        } catch (IllegalArgumentException e) {
          return waiting(
              next, create, Outcome.of(Reason.InvalidSpec, e.getMessage()), generation, now, false);
        }
        create.add(workload.job());
        next.phase = TrainingPhase.TRAINING;
        next.progress = progress(spec, null);
        outcome =
            Outcome.of(
                Reason.PodsStarting,
                "creating Job "
                    + TrainerWorkload.jobName(t)
                    + o.dataset()
                        .filter(d -> d.getStatus() != null && d.getStatus().reusedFrom != null)
                        .map(
                            d ->
                                " on HiddenStateDataset "
                                    + d.getMetadata().getName()
                                    + ", which reuses the data of "
                                    + d.getStatus().reusedFrom)
                        .orElse(""));
        StatusConditions.apply(next, outcome, generation, now);
        return new Plan<>(create, next, Statuses.name(next.phase), outcome, null, List.of(), notes);
      }
      if (!Owners.isControlledBy(o.job().get(), t)) {
        return waiting(
            next,
            create,
            Outcome.of(
                Reason.NameConflict,
                "Job "
                    + o.job().get().getMetadata().getName()
                    + " exists and does not belong to this training"),
            generation,
            now,
            false);
      }
      JobState job = JobState.of(o.job().get());
      Optional<ObjectNode> summary = newestSummary(o.pods());
      next.progress = progress(spec, o.liveProgress().or(() -> summary).orElse(null));
      rates(next.progress, o.liveProgress().orElse(null), previous, now);
      if (next.startTime == null && job.startTime() != null) {
        next.startTime = job.startTime();
      }
      outcome =
          WorkloadOutcome.of(
              new WorkloadOutcome.Observed(
                  job, o.pods(), TrainerWorkload.CONTAINER, o.failedCreate(), spec.queueName),
              Reason.Training,
              "training: " + next.progress.summary);
      if (outcome.state() != Outcome.State.SUCCEEDED) {
        next.phase =
            outcome.state() == Outcome.State.FAILED ? TrainingPhase.FAILED : TrainingPhase.TRAINING;
        if (outcome.terminal() && next.completionTime == null) {
          next.completionTime = Statuses.time(now);
        }
        StatusConditions.apply(next, outcome, generation, now);
        Duration requeue =
            outcome.state() == Outcome.State.IN_PROGRESS
                    && o.pods().stream().noneMatch(PodDiagnosis::live)
                ? settings.podlessRecheckInterval()
                : null;
        return new Plan<>(create, next, Statuses.name(next.phase), outcome, requeue);
      }
      // The Job's completion is not final until the trainer's summary was read from its pod.
      WorkerSummaries.Read read = WorkerSummaries.of(job, o.pods(), SUMMARY, now);
      if (read.pending()) {
        next.phase = TrainingPhase.TRAINING;
        outcome = read.collecting(job.name(), "the trainer's summary");
        StatusConditions.apply(next, outcome, generation, now);
        return new Plan<>(
            create, next, Statuses.name(next.phase), outcome, settings.podlessRecheckInterval());
      }
      Optional<ObjectNode> finalSummary = read.single();
      next.results = results(storage, finalSummary.orElse(null), previous);
      if (finalSummary.isPresent()) {
        next.progress = progress(spec, finalSummary.get());
      } else {
        next.results.missingSummary =
            "the trainer's summary: " + read.describe(WorkerSummaries.State.LOST);
      }
    }

    // 3. the evaluation
    if (spec.evaluation == null) {
      next.phase = TrainingPhase.SUCCEEDED;
      outcome =
          succeeded(
              next.results,
              "trained: speculator at "
                  + storage.claimName()
                  + ":"
                  + next.results.finalPath
                  + lossText(next.results));
      if (next.completionTime == null) {
        next.completionTime = Statuses.time(now);
      }
      StatusConditions.apply(next, outcome, generation, now);
      return new Plan<>(create, next, Statuses.name(next.phase), outcome, null);
    }
    Optional<SpeculatorEval> eval = o.evaluation();
    if (eval.isEmpty()) {
      if (target == null) {
        next.phase = TrainingPhase.FAILED;
        outcome =
            Outcome.of(
                Reason.DependencyDeleted,
                "the dataset "
                    + datasetName(t)
                    + " that names the target model was deleted before the evaluation was created");
        StatusConditions.apply(next, outcome, generation, now);
        return new Plan<>(create, next, Statuses.name(next.phase), outcome, null);
      }
      create.add(ownedEvaluation(t, target));
      next.phase = TrainingPhase.EVALUATING;
      outcome = Outcome.of(Reason.Evaluating, "creating SpeculatorEval " + evaluationName(t));
      StatusConditions.apply(next, outcome, generation, now);
      return new Plan<>(create, next, Statuses.name(next.phase), outcome, null);
    }
    SpeculatorEval e = eval.get();
    if (!Owners.isControlledBy(e, t)) {
      return waiting(
          next,
          create,
          Outcome.of(
              Reason.NameConflict,
              "SpeculatorEval "
                  + e.getMetadata().getName()
                  + " exists and was not created by this training"),
          generation,
          now,
          true);
    }
    EvalPhase evalPhase = e.getStatus() == null ? null : e.getStatus().phase;
    if (evalPhase == EvalPhase.FAILED) {
      next.phase = TrainingPhase.FAILED;
      outcome =
          Outcome.of(
              Reason.EvaluationFailed,
              "SpeculatorEval " + e.getMetadata().getName() + " failed: " + e.getStatus().message);
    } else if (evalPhase == EvalPhase.SUCCEEDED && e.getStatus().results != null) {
      Double al = e.getStatus().results.meanAcceptanceLength;
      next.results.meanAcceptanceLength = al;
      Double gate =
          spec.acceptanceGate == null ? null : spec.acceptanceGate.minMeanAcceptanceLength;
      if (gate != null && (al == null || al < gate)) {
        next.phase = TrainingPhase.FAILED;
        outcome =
            Outcome.of(
                Reason.AcceptanceBelowGate,
                String.format(
                    Locale.ROOT,
                    "mean acceptance length %s is below the gate %s; the speculator stays at %s:%s",
                    al == null ? "unknown" : String.format(Locale.ROOT, "%.3f", al),
                    gate,
                    storage.claimName(),
                    next.results.finalPath));
      } else {
        next.phase = TrainingPhase.SUCCEEDED;
        outcome =
            succeeded(
                next.results,
                String.format(
                    Locale.ROOT,
                    "trained and evaluated: mean acceptance length %.3f%s; speculator at %s:%s",
                    al,
                    gate == null ? "" : " (gate " + gate + ")",
                    storage.claimName(),
                    next.results.finalPath));
      }
    } else {
      next.phase = TrainingPhase.EVALUATING;
      String where =
          e.getStatus() == null || e.getStatus().message == null
              ? "pending"
              : e.getStatus().message;
      outcome =
          Outcome.of(
              Reason.Evaluating,
              "evaluating with SpeculatorEval " + e.getMetadata().getName() + ": " + where);
    }
    if (outcome.terminal() && next.completionTime == null) {
      next.completionTime = Statuses.time(now);
    } else if (!outcome.terminal()) {
      next.completionTime = null;
    }
    StatusConditions.apply(next, outcome, generation, now);
    return new Plan<>(create, next, Statuses.name(next.phase), outcome, null);
  }

  /**
   * Succeeded, or {@code SummaryUnavailable} when the trainer's summary was lost: the speculator is
   * there, its metrics are not.
   */
  private static Outcome succeeded(TrainingResults results, String message) {
    return results.missingSummary == null
        ? Outcome.of(Reason.Succeeded, message)
        : Outcome.of(
            Reason.SummaryUnavailable,
            message + "; losses and accuracies are unknown: " + results.missingSummary);
  }

  private static Plan<SpeculatorTrainingStatus> waiting(
      SpeculatorTrainingStatus next,
      List<HasMetadata> create,
      Outcome outcome,
      Long generation,
      Instant now,
      boolean trained) {
    if (!trained) {
      next.phase = TrainingPhase.WAITING_FOR_DATASET;
    }
    StatusConditions.apply(next, outcome, generation, now);
    return new Plan<>(create, next, Statuses.name(next.phase), outcome, null);
  }

  private static Children children(SpeculatorTraining t, StoragePlan storage) {
    Children c = new Children();
    c.job = TrainerWorkload.jobName(t);
    c.persistentVolumeClaim = storage.created() != null ? storage.claimName() : null;
    c.dataset = t.getSpec().dataset.template != null ? datasetName(t) : null;
    c.evaluation = t.getSpec().evaluation != null ? evaluationName(t) : null;
    return c;
  }

  /** The HiddenStateDataset the training creates from its template. */
  static HiddenStateDataset ownedDataset(SpeculatorTraining t) {
    HiddenStateDataset d =
        new HiddenStateDataset(
            t.getMetadata().getNamespace(),
            datasetName(t),
            JSON.convertValue(
                t.getSpec().dataset.template, dev.speculators.api.HiddenStateDatasetSpec.class));
    d.getMetadata().setLabels(Labels.of(t, "dataset"));
    d.getMetadata().setAnnotations(Labels.annotations(t));
    d.getMetadata().setOwnerReferences(List.of(Owners.controllerRef(t)));
    return d;
  }

  /** The SpeculatorEval the training creates from {@code evaluation}, on its final speculator. */
  static SpeculatorEval ownedEvaluation(SpeculatorTraining t, ModelSource target) {
    SpeculatorEvalSpec spec = JSON.convertValue(t.getSpec().evaluation, SpeculatorEvalSpec.class);
    spec.speculator = new SpeculatorSource();
    spec.speculator.trainingRef = new ResourceRef(t.getMetadata().getName());
    spec.targetModel = JSON.convertValue(target, ModelSource.class);
    SpeculatorEval e = new SpeculatorEval(t.getMetadata().getNamespace(), evaluationName(t), spec);
    e.getMetadata().setLabels(Labels.of(t, "evaluation"));
    e.getMetadata().setAnnotations(Labels.annotations(t));
    e.getMetadata().setOwnerReferences(List.of(Owners.controllerRef(t)));
    return e;
  }

  /** The train summary of the newest trainer pod that left one. */
  static Optional<ObjectNode> newestSummary(List<Pod> pods) {
    return pods.stream()
        .sorted(
            Comparator.comparing(
                    (Pod p) ->
                        p.getMetadata().getCreationTimestamp() == null
                            ? ""
                            : p.getMetadata().getCreationTimestamp())
                .reversed())
        .map(p -> TerminationMessages.summary(p, TrainerWorkload.CONTAINER))
        .flatMap(Optional::stream)
        .filter(s -> "train".equals(s.path("kind").asText()))
        .findFirst();
  }

  /**
   * The trainer's tokens per second, elapsed time and ETA from its newest {@code PROGRESS} line
   * (none once it finished).
   */
  private static void rates(
      TrainingProgress out, ObjectNode live, SpeculatorTrainingStatus previous, Instant now) {
    if (live == null || !"train".equals(live.path("kind").asText())) {
      return;
    }
    if (live.hasNonNull("tokensPerSecond")) {
      out.tokensPerSecond = ProgressLine.round3(live.get("tokensPerSecond").asDouble());
      out.rate = ProgressRates.rate(out.tokensPerSecond, "tokens");
    }
    if (live.hasNonNull("elapsedSeconds")) {
      out.elapsedSeconds = live.get("elapsedSeconds").asLong();
    }
    ProgressRates.eta(
        out,
        previous == null || previous.progress == null ? null : previous.progress.eta,
        now,
        live.hasNonNull("etaSeconds") ? live.get("etaSeconds").asDouble() : null);
  }

  private static TrainingProgress progress(SpeculatorTrainingSpec spec, ObjectNode p) {
    TrainingProgress out = new TrainingProgress();
    out.epochs =
        spec.training == null || spec.training.epochs == null ? null : spec.training.epochs;
    if (p != null) {
      if (p.hasNonNull("epoch")) {
        out.epoch = p.get("epoch").asInt();
      }
      if (p.hasNonNull("epochs")) {
        out.epochs = p.get("epochs").asInt();
      }
      if (p.hasNonNull("step")) {
        out.step = p.get("step").asLong();
      }
      if (p.hasNonNull("stepsPerEpoch")) {
        out.stepsPerEpoch = p.get("stepsPerEpoch").asLong();
      }
    }
    StringBuilder s =
        new StringBuilder("epoch ")
            .append(out.epoch == null ? 0 : out.epoch)
            .append('/')
            .append(out.epochs == null ? "?" : out.epochs);
    if (out.step != null && out.stepsPerEpoch != null) {
      s.append(" step ").append(out.step).append('/').append(out.stepsPerEpoch);
    }
    out.summary = s.toString();
    return out;
  }

  private static TrainingResults results(
      StoragePlan storage, ObjectNode s, SpeculatorTrainingStatus previous) {
    TrainingResults r =
        previous != null && previous.results != null
            ? Statuses.copy(previous.results, TrainingResults.class)
            : new TrainingResults();
    r.claimName = storage.claimName();
    String fin = s != null && s.hasNonNull("final") ? s.get("final").asText() : "final";
    r.finalPath = storage.resolve(fin);
    if (s != null) {
      r.missingSummary = null;
      if (s.hasNonNull("checkpoint")) {
        r.checkpointPath = storage.resolve(s.get("checkpoint").asText());
      }
      r.trainLoss = TerminationMessages.number(s, "trainLoss");
      r.valLoss = TerminationMessages.number(s, "valLoss");
      r.fullAcc = TerminationMessages.numbers(s.get("fullAcc"));
      r.condAcc = TerminationMessages.numbers(s.get("condAcc"));
      if (s.hasNonNull("bestEpoch") && s.get("bestEpoch").asInt() >= 0) {
        r.bestEpoch = s.get("bestEpoch").asInt();
      }
      if (s.hasNonNull("maxPositionEmbeddings")) {
        r.maxPositionEmbeddings = s.get("maxPositionEmbeddings").asInt();
      }
    }
    return r;
  }

  private static String lossText(TrainingResults r) {
    return r.valLoss == null
        ? ""
        : String.format(Locale.ROOT, " (validation loss %.4f)", r.valLoss);
  }
}
