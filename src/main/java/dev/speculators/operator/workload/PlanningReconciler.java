package dev.speculators.operator.workload;

import dev.speculators.api.common.ResourceStatus;
import dev.speculators.operator.kube.ChildCreator;
import dev.speculators.operator.kube.EventRecorder;
import dev.speculators.operator.metrics.ErrorReasons;
import dev.speculators.operator.metrics.GpuUsage;
import dev.speculators.operator.metrics.ResourceMetrics;
import dev.speculators.operator.status.Outcome;
import dev.speculators.operator.status.PhaseEvents;
import dev.speculators.operator.status.Reason;
import dev.speculators.operator.status.StatusConditions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The reconcile loop shared by the three controllers: observe (the subclass reads the resource's
 * children and dependencies from the informer caches), decide (a pure planner computes the children
 * to create and the complete new status), act (create what is missing, record an Event when the
 * phase changes, patch the status only when it changed). Jobs are never updated.
 *
 * <p>It also stamps {@code status.lastPhaseTransitionTime} when the phase changes and reports to
 * {@link ResourceMetrics}: the time spent in the phase just left (from that stamp, so an operator
 * restart loses nothing), the GPU-seconds of the resource's pods, failed reconciliations and the
 * Warning Events it records.
 */
public abstract class PlanningReconciler<P extends CustomResource<?, S>, S extends ResourceStatus>
    implements Reconciler<P> {
  private static final Logger LOG = Logger.getLogger(PlanningReconciler.class);

  protected final Clock clock;
  protected final ResourceMetrics metrics;
  private LogProgress logProgress;

  protected PlanningReconciler(Clock clock, ResourceMetrics metrics) {
    this.clock = clock;
    this.metrics = metrics;
  }

  /** The reader of running pods' log tails, made on first use (it needs the context's client). */
  protected synchronized LogProgress logProgress(Context<P> context, Duration interval) {
    if (logProgress == null) {
      logProgress = new LogProgress(context.getClient(), interval, clock);
    }
    return logProgress;
  }

  /** The phase of work the resource's own pods do, for {@code status.usage.phases}. */
  protected abstract String usagePhase();

  /**
   * GPU-seconds that other resources report for this one (a training's dataset and evaluation), by
   * phase of work; none by default.
   */
  protected Map<String, Long> usageOfOthers(P resource, Context<P> context) {
    return Map.of();
  }

  /** Observes and decides. */
  protected abstract Plan<S> plan(P resource, Context<P> context, Instant now);

  /** The status class, for copies. */
  protected abstract Class<S> statusType();

  /** The name of the phase of a status (null without one). */
  protected abstract String phase(S status);

  /** The names of all phases of the kind. */
  protected abstract List<String> phases();

  /**
   * The extended resource the kind's pods request GPUs as ({@code podTemplate.gpuResourceName}).
   */
  protected abstract String gpuResourceName(P resource);

  /**
   * Reports the resources of the kind per phase from the controller's cache (call once per start).
   */
  protected void trackPhases(EventSourceContext<P> context, String kind) {
    metrics.trackKind(
        kind,
        phases(),
        () ->
            context
                .getPrimaryCache()
                .list()
                .map(
                    r ->
                        new ResourceMetrics.Tracked(
                            r.getMetadata().getNamespace(),
                            r.getMetadata().getName(),
                            phase(r.getStatus())))
                .toList());
  }

  @Override
  public UpdateControl<P> reconcile(P resource, Context<P> context) {
    Instant now = clock.instant();
    Plan<S> plan = plan(resource, context, now);
    ChildCreator creator = new ChildCreator(context.getClient());
    for (HasMetadata child : plan.create()) {
      creator.create(child);
    }
    for (HasMetadata changed : plan.update()) {
      context.getClient().resource(changed).update();
    }
    S previous = resource.getStatus();
    String kind = resource.getKind();
    for (EventRecorder.Note note :
        PhaseEvents.notes(
            phase(previous),
            Statuses.readyReason(previous).orElse(null),
            plan.phase(),
            plan.outcome())) {
      new EventRecorder(context.getClient()).record(resource, note);
      if ("Warning".equals(note.type())) {
        metrics.warningRecorded(kind, note.reason());
      }
    }
    for (EventRecorder.Note note : plan.notes()) {
      new EventRecorder(context.getClient()).record(resource, note);
      if ("Warning".equals(note.type())) {
        metrics.warningRecorded(kind, note.reason());
      }
    }
    stampPhaseChange(kind, previous, plan.status(), now);
    List<Pod> pods = List.copyOf(context.getSecondaryResources(Pod.class));
    double gpuSeconds = GpuUsage.seconds(pods, gpuResourceName(resource), now);
    metrics.gpuSeconds(
        kind, resource.getMetadata().getNamespace(), resource.getMetadata().getName(), gpuSeconds);
    plan.status().usage =
        UsageAccounting.next(
            previous == null ? null : previous.usage,
            usagePhase(),
            gpuSeconds,
            usageOfOthers(resource, context),
            plan.outcome().terminal());
    UpdateControl<P> control;
    if (plan.status().equals(previous)) {
      control = UpdateControl.noUpdate();
    } else {
      resource.setStatus(plan.status());
      control = UpdateControl.patchStatus(resource);
    }
    if (plan.requeue() != null) {
      control.rescheduleAfter(plan.requeue());
    }
    return control;
  }

  /**
   * On a phase change: stamps the new phase's start and reports how long the resource spent in the
   * phase it left (measured from the stamp the previous status carries; nothing for statuses
   * written before the stamp existed).
   */
  private void stampPhaseChange(String kind, S previous, S next, Instant now) {
    String before = phase(previous);
    String after = phase(next);
    if (after == null || after.equals(before)) {
      return;
    }
    next.lastPhaseTransitionTime = Statuses.time(now);
    if (before != null && previous.lastPhaseTransitionTime != null) {
      try {
        metrics.phaseLeft(
            kind, before, Duration.between(Instant.parse(previous.lastPhaseTransitionTime), now));
      } catch (DateTimeParseException e) {
        LOG.debugf("unreadable lastPhaseTransitionTime %s", previous.lastPhaseTransitionTime);
      }
    }
  }

  /**
   * After the last retry of a failing reconciliation the resource reports {@code ReconcileError}
   * (Stalled) with the error; everything else in its status stays. Earlier attempts only retry.
   */
  @Override
  public ErrorStatusUpdateControl<P> updateErrorStatus(
      P resource, Context<P> context, Exception e) {
    metrics.reconcileFailed(resource.getKind(), ErrorReasons.of(e));
    boolean last = context.getRetryInfo().map(RetryInfo::isLastAttempt).orElse(true);
    LOG.warnf(
        "reconciling %s %s/%s failed%s: %s",
        resource.getKind(),
        resource.getMetadata().getNamespace(),
        resource.getMetadata().getName(),
        last ? " (last attempt)" : "",
        e.getMessage());
    if (!last) {
      return ErrorStatusUpdateControl.defaultErrorProcessing();
    }
    S status =
        Optional.ofNullable(Statuses.copy(resource.getStatus(), statusType()))
            .orElseGet(this::emptyStatus);
    status.observedGeneration = resource.getMetadata().getGeneration();
    StatusConditions.apply(
        status,
        Outcome.of(Reason.ReconcileError, e.getMessage() == null ? e.toString() : e.getMessage()),
        resource.getMetadata().getGeneration(),
        clock.instant());
    resource.setStatus(status);
    return ErrorStatusUpdateControl.patchStatus(resource);
  }

  private S emptyStatus() {
    try {
      return statusType().getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }
}
