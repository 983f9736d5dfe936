package dev.speculators.operator.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.api.DatasetPhase;
import dev.speculators.api.DatasetProgress;
import dev.speculators.api.DatasetResults;
import dev.speculators.api.DatasetReuse;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.api.HiddenStateDatasetStatus;
import dev.speculators.api.common.Children;
import dev.speculators.io.ProgressLine;
import dev.speculators.io.StorageCheck;
import dev.speculators.operator.kube.EventRecorder;
import dev.speculators.operator.kube.Labels;
import dev.speculators.operator.kube.Owners;
import dev.speculators.operator.kube.WorkloadSettings;
import dev.speculators.operator.pods.DatagenWorkload;
import dev.speculators.operator.pods.StoragePlan;
import dev.speculators.operator.preflight.StorageEstimates;
import dev.speculators.operator.status.Outcome;
import dev.speculators.operator.status.Reason;
import dev.speculators.operator.status.StatusConditions;
import dev.speculators.operator.workload.FinishedPods;
import dev.speculators.operator.workload.JobState;
import dev.speculators.operator.workload.Plan;
import dev.speculators.operator.workload.ProgressRates;
import dev.speculators.operator.workload.Statuses;
import dev.speculators.operator.workload.TerminationMessages;
import dev.speculators.operator.workload.WorkerSummaries;
import dev.speculators.operator.workload.WorkloadOutcome;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Decides what a HiddenStateDataset needs, as a pure function of what was observed: the storage,
 * the ConfigMap and the Indexed Job to create, and the complete new status (phase, conditions,
 * shard progress, results summed from the shards' termination messages).
 */
public final class DatasetPlanner {
  /** Where the shards leave their summaries: one completion per shard of an Indexed Job. */
  static FinishedPods.Shape summary(int shards) {
    return new FinishedPods.Shape(DatagenWorkload.CONTAINER, "datagen", true, shards);
  }

  /** Default size of a created dataset volume. */
  public static final String DEFAULT_SIZE = "100Gi";

  /** Suffix of a created dataset volume's name. */
  public static final String CLAIM_SUFFIX = "hidden-states";

  private DatasetPlanner() {}

  /** The plan for the observed dataset at {@code now}. */
  public static Plan<HiddenStateDatasetStatus> plan(
      DatasetObservation o, WorkloadSettings settings, Instant now) {
    HiddenStateDataset ds = o.dataset();
    HiddenStateDatasetStatus previous = ds.getStatus();
    Long generation = ds.getMetadata().getGeneration();
    HiddenStateDatasetStatus next =
        previous == null
            ? new HiddenStateDatasetStatus()
            : Statuses.copy(previous, HiddenStateDatasetStatus.class);
    next.observedGeneration = generation;

    // Finished work is never redone: without its Job (deleted by someone) the status stays, and
    // results once read stay as read (pods of a finished Job may be garbage-collected later).
    boolean finished =
        previous != null
            && (previous.phase == DatasetPhase.SUCCEEDED || previous.phase == DatasetPhase.FAILED);
    boolean resultsRead =
        previous != null && previous.phase == DatasetPhase.SUCCEEDED && previous.results != null;
    if (finished && (o.job().isEmpty() || resultsRead)) {
      Outcome kept =
          Statuses.lastOutcome(previous)
              .orElse(
                  Outcome.of(
                      previous.phase == DatasetPhase.SUCCEEDED
                          ? Reason.Succeeded
                          : Reason.JobFailed,
                      previous.message));
      StatusConditions.apply(next, kept, generation, now);
      return new Plan<>(List.of(), next, Statuses.name(previous.phase), kept, null);
    }

    StoragePlan storage;
    DatagenWorkload workload;
    try {
      storage = StoragePlan.of(ds, ds.getSpec().storage, CLAIM_SUFFIX, DEFAULT_SIZE);
      workload = new DatagenWorkload(ds, storage, settings);
    } catch (IllegalArgumentException e) {
      return stalled(next, Outcome.of(Reason.InvalidSpec, e.getMessage()), generation, now);
    }
    next.children = children(o, storage);

    List<HasMetadata> create = new ArrayList<>();
    Optional<Outcome> conflict = conflicts(o, ds, storage);
    if (conflict.isPresent()) {
      return stalled(next, conflict.get(), generation, now);
    }

    // Before anything of its own runs: the data of an equal dataset, then the storage pre-flight.
    List<EventRecorder.Note> notes = new ArrayList<>();
    boolean podPreflight = true;
    if (o.job().isEmpty()) {
      String hash = DatasetIdentities.hash(ds.getSpec(), storage.claimName());
      if (ds.getSpec().reuse != DatasetReuse.NEVER
          && (previous == null || previous.phase != DatasetPhase.GENERATING)) {
        Optional<HiddenStateDataset> equal =
            DatasetSharing.candidate(ds, hash, o.around().others());
        if (equal.isPresent()) {
          return reuse(ds, next, equal.get(), hash, o.around(), generation, now);
        }
      }
      Optional<StorageCheck> check = DatasetPreflight.check(ds, storage, o.around());
      next.storage = check.map(c -> StorageEstimates.of(c, StorageEstimates.OPERATOR)).orElse(null);
      if (check.isPresent() && check.get().refuses()) {
        next.phase = DatasetPhase.FAILED;
        next.children = null;
        next.completionTime = Statuses.time(now);
        Outcome refused = Outcome.of(Reason.StorageTooSmall, check.get().message());
        StatusConditions.apply(next, refused, generation, now);
        return new Plan<>(List.of(), next, Statuses.name(next.phase), refused, null);
      }
      if (check.isPresent() && check.get().warns()) {
        notes.add(
            EventRecorder.Note.warning(
                check.get().verdict() == StorageCheck.Verdict.TOO_SMALL
                    ? "StorageMayBeTooSmall"
                    : "StorageNearlyFull",
                check.get().message()));
      }
      // the operator's verdict is final only for a claim it creates (nothing else on it) that
      // holds even the upper bound; else each pod measures before vLLM starts
      podPreflight =
          !(check.isPresent()
              && check.get().verdict() == StorageCheck.Verdict.FITS
              && storage.created() != null);
    } else {
      StorageEstimates.reported(
              o.pods(), DatagenWorkload.PREFLIGHT_CONTAINER, DatagenWorkload.CONTAINER)
          .ifPresent(s -> next.storage = s);
    }
    if (storage.created() != null && o.claim().isEmpty()) {
      create.add(storage.created());
    }
    if (o.configMap().isEmpty()) {
      create.add(workload.configMap());
    }
    int shards = ds.getSpec().shards == null ? 1 : ds.getSpec().shards;
    if (o.job().isEmpty()) {
      create.add(new DatagenWorkload(ds, storage, settings, podPreflight).job());
      next.phase = DatasetPhase.PENDING;
      next.progress = progress(shards, 0, 0, List.of());
      Outcome pending =
          Outcome.of(
              Reason.Pending,
              "creating Job " + DatagenWorkload.jobName(ds) + " with " + shards + " shard(s)");
      StatusConditions.apply(next, pending, generation, now);
      return new Plan<>(create, next, Statuses.name(next.phase), pending, null, List.of(), notes);
    }

    Job job = o.job().get();
    JobState state = JobState.of(job);
    Map<Integer, ObjectNode> summaries = shardSummaries(o.pods());
    int failedShards = dev.speculators.operator.workload.Indexes.count(state.failedIndexes());
    next.progress = progress(shards, state.shardsSucceeded(), failedShards, summaries.values());
    addLive(
        next.progress,
        summaries,
        o.liveShards(),
        previous == null || previous.progress == null ? null : previous.progress.eta,
        now);
    String running = "generating: " + next.progress.summary + " done";
    Outcome outcome =
        WorkloadOutcome.of(
            new WorkloadOutcome.Observed(
                state,
                o.pods(),
                DatagenWorkload.CONTAINER,
                o.failedCreate(),
                ds.getSpec().queueName),
            Reason.Generating,
            running);

    boolean started =
        state.shardsSucceeded() > 0
            || state.failed() > 0
            || outcome.reason() == Reason.Generating
            || outcome.reason() == Reason.Retrying;
    Duration collecting = null;
    switch (outcome.state()) {
      case SUCCEEDED -> {
        // The Job's completion is not final until every shard's summary was read.
        WorkerSummaries.Read read = WorkerSummaries.of(state, o.pods(), summary(shards), now);
        if (read.pending()) {
          next.phase = DatasetPhase.GENERATING;
          outcome = read.collecting(state.name(), "the shards' summaries");
          collecting = settings.podlessRecheckInterval();
          break;
        }
        next.phase = DatasetPhase.SUCCEEDED;
        next.results = results(ds, storage, read);
        String where =
            " in " + shards + " shard(s) into " + storage.claimName() + ":" + storage.directory();
        outcome =
            next.results.missingSummary == null
                ? Outcome.of(
                    Reason.Succeeded,
                    "generated "
                        + next.results.samples
                        + " samples ("
                        + next.results.tokens
                        + " tokens)"
                        + where)
                : Outcome.of(
                    Reason.SummaryUnavailable,
                    "generated"
                        + where
                        + "; sample and token counts are unknown: "
                        + next.results.missingSummary);
      }
      case FAILED -> next.phase = DatasetPhase.FAILED;
      default ->
          next.phase =
              started || previous != null && previous.phase == DatasetPhase.GENERATING
                  ? DatasetPhase.GENERATING
                  : DatasetPhase.PENDING;
    }
    if (next.startTime == null && state.startTime() != null) {
      next.startTime = state.startTime();
    }
    if (outcome.terminal() && next.completionTime == null) {
      next.completionTime =
          state.completionTime() != null ? state.completionTime() : Statuses.time(now);
    }
    StatusConditions.apply(next, outcome, generation, now);
    boolean noPods =
        o.pods().stream().noneMatch(dev.speculators.operator.workload.PodDiagnosis::live);
    Duration requeue =
        collecting != null
            ? collecting
            : !outcome.terminal() && noPods ? settings.podlessRecheckInterval() : null;
    return new Plan<>(create, next, Statuses.name(next.phase), outcome, requeue);
  }

  /**
   * Uses the data of {@code equal}: the status points at its volume, nothing is created, and a
   * claim that is deleted with its owners gets this dataset as one more owner.
   */
  private static Plan<HiddenStateDatasetStatus> reuse(
      HiddenStateDataset ds,
      HiddenStateDatasetStatus next,
      HiddenStateDataset equal,
      String hash,
      DatasetSurroundings around,
      Long generation,
      Instant now) {
    String origin = DatasetSharing.origin(equal);
    next.phase = DatasetPhase.SUCCEEDED;
    next.reusedFrom = origin;
    next.results = DatasetSharing.results(equal);
    next.children = null;
    next.storage = null;
    DatasetProgress p = new DatasetProgress();
    p.summary = "reused from " + origin;
    p.samples = next.results.samples;
    p.tokens = next.results.tokens;
    next.progress = p;
    if (next.startTime == null) {
      next.startTime = Statuses.time(now);
    }
    next.completionTime = Statuses.time(now);
    String message =
        "reused the data of HiddenStateDataset "
            + origin
            + " (same content hash "
            + hash
            + ") at "
            + next.results.claimName
            + ":"
            + next.results.dataPath
            + ", "
            + next.results.samples
            + " samples; nothing generated";
    Outcome reused = Outcome.of(Reason.Reused, message);
    StatusConditions.apply(next, reused, generation, now);
    List<HasMetadata> update = new ArrayList<>();
    PersistentVolumeClaim claim = around.claims().get(next.results.claimName);
    if (claim != null) {
      DatasetSharing.keepFor(claim, ds).ifPresent(update::add);
    }
    return new Plan<>(
        List.of(),
        next,
        Statuses.name(next.phase),
        reused,
        null,
        update,
        List.of(EventRecorder.Note.normal("Reused", message)));
  }

  private static Plan<HiddenStateDatasetStatus> stalled(
      HiddenStateDatasetStatus next, Outcome outcome, Long generation, Instant now) {
    if (next.phase == null) {
      next.phase = DatasetPhase.PENDING;
    }
    StatusConditions.apply(next, outcome, generation, now);
    return new Plan<>(List.of(), next, Statuses.name(next.phase), outcome, null);
  }

  private static Children children(DatasetObservation o, StoragePlan storage) {
    Children c = new Children();
    c.job = DatagenWorkload.jobName(o.dataset());
    c.configMap = DatagenWorkload.configMapName(o.dataset());
    c.persistentVolumeClaim = storage.created() != null ? storage.claimName() : null;
    return c;
  }

  private static Optional<Outcome> conflicts(
      DatasetObservation o, HiddenStateDataset ds, StoragePlan storage) {
    if (o.job().isPresent() && !Owners.isControlledBy(o.job().get(), ds)) {
      return Optional.of(
          Outcome.of(
              Reason.NameConflict,
              "Job "
                  + o.job().get().getMetadata().getName()
                  + " exists and does not belong to this dataset"));
    }
    if (o.configMap().isPresent() && !Owners.isControlledBy(o.configMap().get(), ds)) {
      return Optional.of(
          Outcome.of(
              Reason.NameConflict,
              "ConfigMap "
                  + o.configMap().get().getMetadata().getName()
                  + " exists and does not belong to this dataset"));
    }
    if (storage.created() != null
        && o.claim().isPresent()
        && !Labels.isChildOf(o.claim().get(), ds)) {
      return Optional.of(
          Outcome.of(
              Reason.NameConflict,
              "PersistentVolumeClaim "
                  + storage.claimName()
                  + " exists and was not created for this dataset"));
    }
    return Optional.empty();
  }

  /** The summary of each finished shard: the newest succeeded pod per completion index. */
  static Map<Integer, ObjectNode> shardSummaries(List<Pod> pods) {
    Map<Integer, ObjectNode> out = new TreeMap<>();
    pods.stream()
        .filter(p -> p.getStatus() != null && "Succeeded".equals(p.getStatus().getPhase()))
        .sorted(
            Comparator.comparing(
                p ->
                    p.getMetadata().getCreationTimestamp() == null
                        ? ""
                        : p.getMetadata().getCreationTimestamp()))
        .forEach(
            p -> {
              Integer index = index(p);
              TerminationMessages.summary(p, DatagenWorkload.CONTAINER)
                  .filter(s -> "datagen".equals(s.path("kind").asText()))
                  .ifPresent(s -> out.put(index != null ? index : s.path("shard").asInt(), s));
            });
    return out;
  }

  /** The completion index of a pod of the Indexed Job, or null. */
  static Integer index(Pod p) {
    return WorkerSummaries.index(p);
  }

  private static DatasetProgress progress(
      int shards, int succeeded, int failed, java.util.Collection<ObjectNode> summaries) {
    DatasetProgress p = new DatasetProgress();
    p.shardsTotal = shards;
    p.shardsSucceeded = succeeded;
    p.shardsFailed = failed;
    if (!summaries.isEmpty()) {
      p.samples = sum(summaries, "samples");
      p.tokens = sum(summaries, "tokens");
      p.bytes = sum(summaries, "bytes");
      p.failedSamples = sum(summaries, "failedSamples");
    }
    p.summary = succeeded + "/" + shards + " shards";
    return p;
  }

  /**
   * Adds the shards still running, from their newest {@code PROGRESS} lines: samples and tokens so
   * far, and the rows done of all rows, which the summary shows.
   */
  private static void addLive(
      DatasetProgress p,
      Map<Integer, ObjectNode> finished,
      Map<Integer, ObjectNode> live,
      String previousEta,
      Instant now) {
    long rows = 0;
    long totalRows = 0;
    boolean any = false;
    // shards run in parallel: their rates add up, the dataset is done when the slowest is
    double samplesPerSecond = 0;
    double tokensPerSecond = 0;
    Long elapsed = null;
    Double remaining = null;
    for (Map.Entry<Integer, ObjectNode> e : live.entrySet()) {
      if (finished.containsKey(e.getKey())
          || !"datagen".equals(e.getValue().path("kind").asText())) {
        continue;
      }
      ObjectNode s = e.getValue();
      any = true;
      p.samples = (p.samples == null ? 0 : p.samples) + s.path("samples").asLong(0);
      p.tokens = (p.tokens == null ? 0 : p.tokens) + s.path("tokens").asLong(0);
      p.failedSamples =
          (p.failedSamples == null ? 0 : p.failedSamples) + s.path("failedSamples").asLong(0);
      rows += s.path("rows").asLong(0);
      totalRows += s.path("totalRows").asLong(0);
      samplesPerSecond += s.path("samplesPerSecond").asDouble(0);
      tokensPerSecond += s.path("tokensPerSecond").asDouble(0);
      if (s.hasNonNull("elapsedSeconds")) {
        elapsed = Math.max(elapsed == null ? 0 : elapsed, s.get("elapsedSeconds").asLong());
      }
      if (s.hasNonNull("etaSeconds")) {
        remaining = Math.max(remaining == null ? 0 : remaining, s.get("etaSeconds").asDouble());
      }
    }
    if (any && elapsed != null) {
      p.samplesPerSecond = ProgressLine.round3(samplesPerSecond);
      p.tokensPerSecond = ProgressLine.round3(tokensPerSecond);
      p.rate =
          ProgressRates.rate(samplesPerSecond, "samples")
              + ", "
              + ProgressRates.rate(tokensPerSecond, "tokens");
      p.elapsedSeconds = elapsed;
      ProgressRates.eta(p, previousEta, now, remaining);
    }
    if (any && totalRows > 0) {
      p.summary =
          p.summary
              + String.format(java.util.Locale.ROOT, " (running: %d/%d rows)", rows, totalRows);
    }
  }

  private static long sum(java.util.Collection<ObjectNode> summaries, String field) {
    return summaries.stream().mapToLong(s -> s.path(field).asLong(0)).sum();
  }

  /**
   * The results from the shards' summaries. When a shard's summary is lost the counts are unknown
   * (a partial sum would understate them); what any summary names is kept.
   */
  private static DatasetResults results(
      HiddenStateDataset ds, StoragePlan storage, WorkerSummaries.Read read) {
    Map<Integer, ObjectNode> summaries = read.found();
    DatasetResults r = new DatasetResults();
    r.claimName = storage.claimName();
    r.dataPath = storage.directory();
    if (read.complete()) {
      r.samples = sum(summaries.values(), "samples");
      r.tokens = sum(summaries.values(), "tokens");
    } else {
      r.missingSummary = read.describe(WorkerSummaries.State.LOST);
    }
    r.resolvedLayerIds = ds.getSpec().layerIds != null ? List.copyOf(ds.getSpec().layerIds) : null;
    for (ObjectNode s : summaries.values()) {
      JsonNode ids = s.get("layerIds");
      if (r.resolvedLayerIds == null && ids != null && ids.isArray()) {
        List<Integer> list = new ArrayList<>();
        ids.forEach(n -> list.add(n.asInt()));
        r.resolvedLayerIds = list;
      }
      if (r.hiddenSize == null && s.hasNonNull("hiddenSize")) {
        r.hiddenSize = s.get("hiddenSize").asInt();
      }
      if (r.targetVocabSize == null && s.hasNonNull("vocabSize")) {
        r.targetVocabSize = s.get("vocabSize").asInt();
      }
      if (r.contentHash == null && s.hasNonNull("contentHash")) {
        r.contentHash = s.get("contentHash").asText();
      }
    }
    return r;
  }
}
