package dev.speculators.operator.eval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.api.EvalPhase;
import dev.speculators.api.EvalPresets;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.api.SpeculatorEval;
import dev.speculators.api.SpeculatorEvalSpec;
import dev.speculators.api.SpeculatorEvalStatus;
import dev.speculators.api.SpeculatorSource;
import dev.speculators.api.SpeculatorTraining;
import dev.speculators.api.common.PodOverrides;
import dev.speculators.operator.kube.ChildNames;
import dev.speculators.operator.kube.WorkloadSettings;
import dev.speculators.operator.metrics.ResourceMetrics;
import dev.speculators.operator.pods.EvalWorkload;
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
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Controller of SpeculatorEval: resolves the speculator (waiting for a referenced training's final
 * speculator) and the target model, runs the eval Job, and copies acceptance and throughput from
 * the eval container's summary into the status.
 */
@Singleton
@ControllerConfiguration(
    name = SpeculatorEvalReconciler.NAME,
    maxReconciliationInterval =
        @MaxReconciliationInterval(interval = 5, timeUnit = TimeUnit.MINUTES))
public class SpeculatorEvalReconciler
    extends PlanningReconciler<SpeculatorEval, SpeculatorEvalStatus> {
  /** Controller name (metrics tag, configuration key). */
  public static final String NAME = "speculatoreval";

  /** Kind of the resource, for the child label selector. */
  public static final String KIND = "SpeculatorEval";

  private final WorkloadSettings settings;
  private volatile ModelConfigs modelConfigs = ModelConfigs.none();

  @Inject
  public SpeculatorEvalReconciler(WorkloadSettings settings, ResourceMetrics metrics) {
    super(Clock.systemUTC(), metrics);
    this.settings = settings;
  }

  /** A controller that reports no metrics (tests, tools). */
  public SpeculatorEvalReconciler(WorkloadSettings settings) {
    this(settings, ResourceMetrics.NOOP);
  }

  /** Where speculators' configs are read, for their context length (default: nowhere). */
  @Inject
  public void setModelConfigs(ModelConfigs configs) {
    this.modelConfigs = configs;
  }

  /** The same, for a controller made without injection. */
  public SpeculatorEvalReconciler withModelConfigs(ModelConfigs configs) {
    setModelConfigs(configs);
    return this;
  }

  @Override
  public List<EventSource<?, SpeculatorEval>> prepareEventSources(
      EventSourceContext<SpeculatorEval> context) {
    trackPhases(context, KIND);
    InformerEventSource<SpeculatorTraining, SpeculatorEval> trainings =
        ChildSources.referenced(SpeculatorTraining.class, context, EvalPlanner::trainingName);
    return List.of(
        ChildSources.of(Job.class, KIND, context),
        ChildSources.of(Pod.class, KIND, context),
        ChildSources.of(PersistentVolumeClaim.class, KIND, context),
        trainings);
  }

  @Override
  protected Plan<SpeculatorEvalStatus> plan(
      SpeculatorEval e, Context<SpeculatorEval> context, Instant now) {
    String ns = e.getMetadata().getNamespace();
    String trainingName = EvalPlanner.trainingName(e);
    Optional<SpeculatorTraining> training =
        trainingName == null
            ? Optional.empty()
            : ChildSources.byName(context, SpeculatorTraining.class, trainingName, ns);
    String datasetName = EvalPlanner.targetDatasetName(e, training);
    // rare (an eval of a training on a referenced dataset, without its own targetModel): read
    // directly
    Optional<HiddenStateDataset> dataset =
        datasetName == null
            ? Optional.empty()
            : Optional.ofNullable(
                context
                    .getClient()
                    .resources(HiddenStateDataset.class)
                    .inNamespace(ns)
                    .withName(datasetName)
                    .get());
    Optional<Job> job = ChildSources.byName(context, Job.class, EvalWorkload.jobName(e), ns);
    Optional<PersistentVolumeClaim> claim =
        ChildSources.byName(
            context,
            PersistentVolumeClaim.class,
            ChildNames.of(e.getMetadata().getName(), EvalPlanner.CLAIM_SUFFIX),
            ns);
    var status = e.getStatus();
    boolean settled =
        status != null
            && (status.phase == EvalPhase.FAILED
                || status.phase == EvalPhase.SUCCEEDED && status.results != null);
    List<Pod> pods =
        FinishedPods.of(
            context.getClient(),
            settled ? Optional.empty() : job,
            ChildSources.all(context, Pod.class),
            EvalPlanner.SUMMARY,
            now);
    Optional<String> failedCreate =
        job.isPresent() && pods.stream().noneMatch(PodDiagnosis::live)
            ? JobEvents.failedCreate(context.getClient(), job.get())
            : Optional.empty();
    Optional<Pod> running =
        pods.stream()
            .filter(
                p ->
                    PodDiagnosis.live(p)
                        && TerminationMessages.status(p, EvalWorkload.CONTAINER)
                            .map(s -> s.getState() != null && s.getState().getRunning() != null)
                            .orElse(false))
            .findFirst();
    LogProgress logs = logProgress(context, settings.progressLogInterval());
    Optional<ObjectNode> live =
        running.flatMap(p -> logs.latest(e.getMetadata().getUid(), p, EvalWorkload.CONTAINER));
    Plan<SpeculatorEvalStatus> plan =
        EvalPlanner.plan(
            new EvalObservation(
                e, training, dataset, job, claim, pods, failedCreate, live, draftMaxPositions(e)),
            settings,
            now);
    if (plan.outcome().reason() == Reason.Evaluating && logs.enabled() && plan.requeue() == null) {
      return plan.withRequeue(logs.interval());
    }
    if (plan.outcome().terminal()) {
      logs.forget(e.getMetadata().getUid());
    }
    return plan;
  }

  /**
   * The context length of the Hub or volume speculator, when its config is readable here and a
   * {@code vllm.maxModelLen} is there to check against it.
   */
  private Optional<Integer> draftMaxPositions(SpeculatorEval e) {
    SpeculatorEvalSpec resolved = EvalPresets.resolve(e.getSpec());
    SpeculatorSource s = resolved.speculator;
    if (s == null
        || s.trainingRef != null
        || resolved.vllm == null
        || resolved.vllm.maxModelLen == null) {
      return Optional.empty();
    }
    if (s.path != null) {
      // a path without a claim is on the evaluation's own storage, as the planner mounts it
      String claim =
          s.path.claimName != null
              ? s.path.claimName
              : StoragePlan.of(
                      e, e.getSpec().storage, EvalPlanner.CLAIM_SUFFIX, EvalPlanner.DEFAULT_SIZE)
                  .claimName();
      return modelConfigs.draftMaxPositions(null, null, claim, s.path.path);
    }
    return s.hfId == null
        ? Optional.empty()
        : modelConfigs.draftMaxPositions(s.hfId, s.revision, null, null);
  }

  @Override
  protected String usagePhase() {
    return "Evaluating";
  }

  @Override
  protected Class<SpeculatorEvalStatus> statusType() {
    return SpeculatorEvalStatus.class;
  }

  @Override
  protected String phase(SpeculatorEvalStatus status) {
    return status == null ? null : Statuses.name(status.phase);
  }

  @Override
  protected List<String> phases() {
    return Arrays.stream(EvalPhase.values()).map(Statuses::name).toList();
  }

  @Override
  protected String gpuResourceName(SpeculatorEval resource) {
    return PodOverrides.gpuResourceName(resource.getSpec().podTemplate);
  }
}
