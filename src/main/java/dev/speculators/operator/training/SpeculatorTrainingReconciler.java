package dev.speculators.operator.training;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.api.SpeculatorEval;
import dev.speculators.api.SpeculatorTraining;
import dev.speculators.api.SpeculatorTrainingStatus;
import dev.speculators.api.TrainingPhase;
import dev.speculators.api.common.PodOverrides;
import dev.speculators.operator.kube.ChildNames;
import dev.speculators.operator.kube.Owners;
import dev.speculators.operator.kube.WorkloadSettings;
import dev.speculators.operator.metrics.ResourceMetrics;
import dev.speculators.operator.pods.TrainerWorkload;
import dev.speculators.operator.preflight.ModelConfigs;
import dev.speculators.operator.preflight.ModelFacts;
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
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
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
 * Controller of SpeculatorTraining: waits for (or creates) its dataset, runs the trainer Job, then
 * the owned evaluation. Reacts to its datasets' status changes through an event source that maps a
 * dataset to the trainings that reference or own it.
 */
@Singleton
@ControllerConfiguration(
    name = SpeculatorTrainingReconciler.NAME,
    maxReconciliationInterval =
        @MaxReconciliationInterval(interval = 5, timeUnit = TimeUnit.MINUTES))
public class SpeculatorTrainingReconciler
    extends PlanningReconciler<SpeculatorTraining, SpeculatorTrainingStatus> {
  /** Controller name (metrics tag, configuration key). */
  public static final String NAME = "speculatortraining";

  /** Kind of the resource, for the child label selector. */
  public static final String KIND = "SpeculatorTraining";

  private final WorkloadSettings settings;
  private volatile ModelConfigs modelConfigs = ModelConfigs.none();

  @Inject
  public SpeculatorTrainingReconciler(WorkloadSettings settings, ResourceMetrics metrics) {
    super(Clock.systemUTC(), metrics);
    this.settings = settings;
  }

  /** A controller that reports no metrics (tests, tools). */
  public SpeculatorTrainingReconciler(WorkloadSettings settings) {
    this(settings, ResourceMetrics.NOOP);
  }

  @Override
  public List<EventSource<?, SpeculatorTraining>> prepareEventSources(
      EventSourceContext<SpeculatorTraining> context) {
    trackPhases(context, KIND);
    InformerEventSource<HiddenStateDataset, SpeculatorTraining> datasets =
        ChildSources.referenced(HiddenStateDataset.class, context, TrainingPlanner::datasetName);
    InformerEventSource<SpeculatorEval, SpeculatorTraining> evals =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(SpeculatorEval.class, SpeculatorTraining.class)
                .withName(SpeculatorEval.class.getSimpleName())
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(SpeculatorTraining.class))
                .build(),
            context);
    return List.of(
        ChildSources.of(Job.class, KIND, context),
        ChildSources.of(Pod.class, KIND, context),
        ChildSources.of(PersistentVolumeClaim.class, KIND, context),
        datasets,
        evals);
  }

  @Override
  protected Plan<SpeculatorTrainingStatus> plan(
      SpeculatorTraining t, Context<SpeculatorTraining> context, Instant now) {
    String ns = t.getMetadata().getNamespace();
    String datasetName = TrainingPlanner.datasetName(t);
    Optional<HiddenStateDataset> dataset =
        datasetName == null
            ? Optional.empty()
            : ChildSources.byName(context, HiddenStateDataset.class, datasetName, ns);
    Optional<Job> job = ChildSources.byName(context, Job.class, TrainerWorkload.jobName(t), ns);
    Optional<PersistentVolumeClaim> claim =
        ChildSources.byName(
            context,
            PersistentVolumeClaim.class,
            ChildNames.of(t.getMetadata().getName(), TrainingPlanner.CLAIM_SUFFIX),
            ns);
    // the trainer's outcome, once recorded, is not read again from pods that may be gone since
    var status = t.getStatus();
    boolean settled =
        status != null
            && (status.phase == TrainingPhase.FAILED
                || status.results != null && status.results.finalPath != null);
    List<Pod> pods =
        FinishedPods.of(
            context.getClient(),
            settled ? Optional.empty() : job,
            ChildSources.all(context, Pod.class),
            TrainingPlanner.SUMMARY,
            now);
    Optional<SpeculatorEval> eval =
        t.getSpec().evaluation == null
            ? Optional.empty()
            : ChildSources.byName(
                context, SpeculatorEval.class, TrainingPlanner.evaluationName(t), ns);
    Optional<String> failedCreate =
        job.isPresent() && pods.stream().noneMatch(PodDiagnosis::live)
            ? JobEvents.failedCreate(context.getClient(), job.get())
            : Optional.empty();
    Optional<Pod> running =
        pods.stream()
            .filter(
                p ->
                    PodDiagnosis.live(p)
                        && TerminationMessages.status(p, TrainerWorkload.CONTAINER)
                            .map(s -> s.getState() != null && s.getState().getRunning() != null)
                            .orElse(false))
            .findFirst();
    LogProgress logs = logProgress(context, settings.progressLogInterval());
    Optional<ObjectNode> live =
        running.flatMap(p -> logs.latest(t.getMetadata().getUid(), p, TrainerWorkload.CONTAINER));
    Plan<SpeculatorTrainingStatus> plan =
        TrainingPlanner.plan(
            new TrainingObservation(
                t,
                dataset,
                job,
                claim,
                pods,
                eval,
                failedCreate,
                live,
                job.isEmpty() ? model(t, dataset) : Optional.empty(),
                job.isEmpty() ? existingClaim(t, context) : Optional.empty()),
            settings,
            now);
    if (plan.outcome().reason() == Reason.Training && logs.enabled() && plan.requeue() == null) {
      return plan.withRequeue(logs.interval());
    }
    if (plan.outcome().terminal()) {
      logs.forget(t.getMetadata().getUid());
    }
    return plan;
  }

  /** Where the storage pre-flight reads target models' configs (default: nowhere). */
  @Inject
  public void setModelConfigs(ModelConfigs configs) {
    this.modelConfigs = configs;
  }

  /** The same, for a controller made without injection. */
  public SpeculatorTrainingReconciler withModelConfigs(ModelConfigs configs) {
    setModelConfigs(configs);
    return this;
  }

  /** The target model's facts, when the training has not run and the operator can read them. */
  private Optional<ModelFacts> model(SpeculatorTraining t, Optional<HiddenStateDataset> dataset) {
    SpeculatorTrainingStatus s = t.getStatus();
    if (s != null
        && (s.phase == TrainingPhase.SUCCEEDED
            || s.phase == TrainingPhase.FAILED
            || (s.results != null && s.results.finalPath != null))) {
      return Optional.empty();
    }
    return modelConfigs.facts(
        t.getSpec().targetModel != null
            ? t.getSpec().targetModel
            : dataset.map(d -> d.getSpec().targetModel).orElse(null));
  }

  private static Optional<PersistentVolumeClaim> existingClaim(
      SpeculatorTraining t, Context<SpeculatorTraining> context) {
    if (t.getSpec().storage == null || t.getSpec().storage.claimName == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(
        context
            .getClient()
            .persistentVolumeClaims()
            .inNamespace(t.getMetadata().getNamespace())
            .withName(t.getSpec().storage.claimName)
            .get());
  }

  @Override
  protected String usagePhase() {
    return "Training";
  }

  /**
   * The GPU-seconds of the dataset the training created from its template (a reused one has none of
   * its own) and of the evaluation it created: together with the trainer's, the cost of the
   * speculator. A referenced dataset is not counted: other trainings may share it.
   */
  @Override
  protected Map<String, Long> usageOfOthers(
      SpeculatorTraining t, Context<SpeculatorTraining> context) {
    String ns = t.getMetadata().getNamespace();
    Map<String, Long> out = new TreeMap<>();
    if (t.getSpec().dataset.template != null) {
      ChildSources.byName(context, HiddenStateDataset.class, TrainingPlanner.datasetName(t), ns)
          .filter(d -> Owners.isControlledBy(d, t))
          .map(d -> d.getStatus() == null ? null : d.getStatus().usage)
          .ifPresent(u -> out.put("Generating", u.gpuSeconds == null ? 0 : u.gpuSeconds));
    }
    if (t.getSpec().evaluation != null) {
      ChildSources.byName(context, SpeculatorEval.class, TrainingPlanner.evaluationName(t), ns)
          .filter(e -> Owners.isControlledBy(e, t))
          .map(e -> e.getStatus() == null ? null : e.getStatus().usage)
          .ifPresent(u -> out.put("Evaluating", u.gpuSeconds == null ? 0 : u.gpuSeconds));
    }
    return out;
  }

  @Override
  protected Class<SpeculatorTrainingStatus> statusType() {
    return SpeculatorTrainingStatus.class;
  }

  @Override
  protected String phase(SpeculatorTrainingStatus status) {
    return status == null ? null : Statuses.name(status.phase);
  }

  @Override
  protected List<String> phases() {
    return Arrays.stream(TrainingPhase.values()).map(Statuses::name).toList();
  }

  @Override
  protected String gpuResourceName(SpeculatorTraining resource) {
    return PodOverrides.gpuResourceName(resource.getSpec().podTemplate);
  }
}
