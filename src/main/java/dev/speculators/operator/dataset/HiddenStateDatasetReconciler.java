package dev.speculators.operator.dataset;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.api.DatasetPhase;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.api.HiddenStateDatasetStatus;
import dev.speculators.api.common.PodOverrides;
import dev.speculators.operator.kube.ChildNames;
import dev.speculators.operator.kube.WorkloadSettings;
import dev.speculators.operator.metrics.ResourceMetrics;
import dev.speculators.operator.pods.DatagenWorkload;
import dev.speculators.operator.pods.StoragePlan;
import dev.speculators.operator.preflight.ModelConfigs;
import dev.speculators.operator.status.Reason;
import dev.speculators.operator.workload.ChildSources;
import dev.speculators.operator.workload.FinishedPods;
import dev.speculators.operator.workload.JobEvents;
import dev.speculators.operator.workload.LogProgress;
import dev.speculators.operator.workload.Plan;
import dev.speculators.operator.workload.PlanningReconciler;
import dev.speculators.operator.workload.PodDiagnosis;
import dev.speculators.operator.workload.Statuses;
import dev.speculators.operator.workload.TerminationMessages;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Controller of HiddenStateDataset: storage, a ConfigMap with the resolved work and an Indexed Job
 * (one index per shard) of vLLM + datagen pods; status from the Job, its pods and their termination
 * messages.
 */
@Singleton
@ControllerConfiguration(
    name = HiddenStateDatasetReconciler.NAME,
    maxReconciliationInterval =
        @MaxReconciliationInterval(interval = 5, timeUnit = TimeUnit.MINUTES))
public class HiddenStateDatasetReconciler
    extends PlanningReconciler<HiddenStateDataset, HiddenStateDatasetStatus> {
  /** Controller name (metrics tag, configuration key). */
  public static final String NAME = "hiddenstatedataset";

  /** Kind of the resource, for the child label selector. */
  public static final String KIND = "HiddenStateDataset";

  /** Running shards whose logs are read per reconciliation, at most. */
  static final int MAX_LOG_READS = 32;

  private final WorkloadSettings settings;
  private volatile ModelConfigs modelConfigs = ModelConfigs.none();

  @Inject
  public HiddenStateDatasetReconciler(WorkloadSettings settings, ResourceMetrics metrics) {
    super(Clock.systemUTC(), metrics);
    this.settings = settings;
  }

  /** Where the storage pre-flight reads target models' configs (default: nowhere). */
  @Inject
  public void setModelConfigs(ModelConfigs configs) {
    this.modelConfigs = configs;
  }

  /** The same, for a controller made without injection. */
  public HiddenStateDatasetReconciler withModelConfigs(ModelConfigs configs) {
    setModelConfigs(configs);
    return this;
  }

  /** A controller that reports no metrics (tests, tools). */
  public HiddenStateDatasetReconciler(WorkloadSettings settings) {
    this(settings, ResourceMetrics.NOOP);
  }

  @Override
  public List<EventSource<?, HiddenStateDataset>> prepareEventSources(
      EventSourceContext<HiddenStateDataset> context) {
    trackPhases(context, KIND);
    return List.of(
        ChildSources.of(Job.class, KIND, context),
        ChildSources.of(Pod.class, KIND, context),
        ChildSources.of(ConfigMap.class, KIND, context),
        ChildSources.of(PersistentVolumeClaim.class, KIND, context));
  }

  @Override
  protected Plan<HiddenStateDatasetStatus> plan(
      HiddenStateDataset ds, Context<HiddenStateDataset> context, Instant now) {
    String ns = ds.getMetadata().getNamespace();
    Optional<Job> job = ChildSources.byName(context, Job.class, DatagenWorkload.jobName(ds), ns);
    Optional<ConfigMap> cm =
        ChildSources.byName(context, ConfigMap.class, DatagenWorkload.configMapName(ds), ns);
    Optional<PersistentVolumeClaim> claim =
        ChildSources.byName(
            context,
            PersistentVolumeClaim.class,
            ChildNames.of(ds.getMetadata().getName(), DatasetPlanner.CLAIM_SUFFIX),
            ns);
    int shards = ds.getSpec().shards == null ? 1 : ds.getSpec().shards;
    var status = ds.getStatus();
    boolean settled =
        status != null
            && (status.phase == DatasetPhase.FAILED
                || status.phase == DatasetPhase.SUCCEEDED && status.results != null);
    List<Pod> pods =
        FinishedPods.of(
            context.getClient(),
            settled ? Optional.empty() : job,
            ChildSources.all(context, Pod.class),
            DatasetPlanner.summary(shards),
            now);
    Optional<String> failedCreate =
        job.isPresent() && pods.stream().noneMatch(PodDiagnosis::live)
            ? JobEvents.failedCreate(context.getClient(), job.get())
            : Optional.empty();
    // live progress of the running shards from their PROGRESS lines, at a bounded rate
    LogProgress logs = logProgress(context, settings.progressLogInterval());
    String key = ds.getMetadata().getUid() + "/";
    Map<Integer, ObjectNode> live = new TreeMap<>();
    pods.stream()
        .filter(
            p ->
                PodDiagnosis.live(p)
                    && TerminationMessages.status(p, DatagenWorkload.CONTAINER)
                        .map(s -> s.getState() != null && s.getState().getRunning() != null)
                        .orElse(false))
        .limit(MAX_LOG_READS)
        .forEach(
            p -> {
              Integer index = DatasetPlanner.index(p);
              if (index != null) {
                logs.latest(key + p.getMetadata().getName(), p, DatagenWorkload.CONTAINER)
                    .ifPresent(progress -> live.put(index, progress));
              }
            });
    Plan<HiddenStateDatasetStatus> plan =
        DatasetPlanner.plan(
            new DatasetObservation(
                ds, job, cm, claim, pods, failedCreate, live, surroundings(ds, job, context)),
            settings,
            now);
    if (plan.outcome().reason() == Reason.Generating && logs.enabled() && plan.requeue() == null) {
      return plan.withRequeue(logs.interval());
    }
    if (plan.outcome().terminal()) {
      logs.forgetAll(key);
    }
    return plan;
  }

  /**
   * What reuse and the storage pre-flight need, read only while nothing of the dataset runs: the
   * other datasets of the namespace and the claims created for them (from the caches), the target
   * model's config where the operator can read it, and an existing output claim (one GET).
   */
  private DatasetSurroundings surroundings(
      HiddenStateDataset ds, Optional<Job> job, Context<HiddenStateDataset> context) {
    boolean finished =
        ds.getStatus() != null
            && (ds.getStatus().phase == DatasetPhase.SUCCEEDED
                || ds.getStatus().phase == DatasetPhase.FAILED);
    if (job.isPresent() || finished) {
      return DatasetSurroundings.none();
    }
    String ns = ds.getMetadata().getNamespace();
    List<HiddenStateDataset> others =
        context
            .getPrimaryCache()
            .list(ns)
            .filter(d -> !d.getMetadata().getUid().equals(ds.getMetadata().getUid()))
            .toList();
    Map<String, PersistentVolumeClaim> claims = new TreeMap<>();
    for (PersistentVolumeClaim c : ChildSources.list(context, PersistentVolumeClaim.class, ns)) {
      claims.put(c.getMetadata().getName(), c);
    }
    Optional<PersistentVolumeClaim> existing = Optional.empty();
    if (ds.getSpec().storage != null && ds.getSpec().storage.claimName != null) {
      existing =
          Optional.ofNullable(
              context
                  .getClient()
                  .persistentVolumeClaims()
                  .inNamespace(ns)
                  .withName(ds.getSpec().storage.claimName)
                  .get());
    }
    return new DatasetSurroundings(
        others, claims, modelConfigs.facts(ds.getSpec().targetModel), existing);
  }

  @Override
  protected String usagePhase() {
    return "Generating";
  }

  @Override
  protected Class<HiddenStateDatasetStatus> statusType() {
    return HiddenStateDatasetStatus.class;
  }

  @Override
  protected String phase(HiddenStateDatasetStatus status) {
    return status == null ? null : Statuses.name(status.phase);
  }

  @Override
  protected List<String> phases() {
    return Arrays.stream(DatasetPhase.values()).map(Statuses::name).toList();
  }

  @Override
  protected String gpuResourceName(HiddenStateDataset resource) {
    return PodOverrides.gpuResourceName(resource.getSpec().podTemplate);
  }

  /** The storage of a dataset, as the planner computes it (for tools and tests). */
  public static StoragePlan storage(HiddenStateDataset ds) {
    return StoragePlan.of(
        ds, ds.getSpec().storage, DatasetPlanner.CLAIM_SUFFIX, DatasetPlanner.DEFAULT_SIZE);
  }
}
