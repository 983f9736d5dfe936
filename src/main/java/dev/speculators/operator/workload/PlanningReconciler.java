package dev.speculators.operator.workload;

import dev.speculators.api.common.ResourceStatus;
import dev.speculators.operator.kube.ChildCreator;
import dev.speculators.operator.kube.EventRecorder;
import dev.speculators.operator.status.Outcome;
import dev.speculators.operator.status.PhaseEvents;
import dev.speculators.operator.status.Reason;
import dev.speculators.operator.status.StatusConditions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The reconcile loop shared by the three controllers: observe (the subclass reads the resource's
 * children and dependencies from the informer caches), decide (a pure planner computes the children
 * to create and the complete new status), act (create what is missing, record an Event when the
 * phase changes, patch the status only when it changed). Jobs are never updated.
 */
public abstract class PlanningReconciler<P extends CustomResource<?, S>, S extends ResourceStatus>
    implements Reconciler<P> {
  private static final Logger LOG = Logger.getLogger(PlanningReconciler.class);

  protected final Clock clock;

  protected PlanningReconciler(Clock clock) {
    this.clock = clock;
  }

  /** Observes and decides. */
  protected abstract Plan<S> plan(P resource, Context<P> context, Instant now);

  /** The status class, for copies. */
  protected abstract Class<S> statusType();

  /** The name of the phase of a status (null without one). */
  protected abstract String phase(S status);

  @Override
  public UpdateControl<P> reconcile(P resource, Context<P> context) {
    Plan<S> plan = plan(resource, context, clock.instant());
    ChildCreator creator = new ChildCreator(context.getClient());
    for (HasMetadata child : plan.create()) {
      creator.create(child);
    }
    S previous = resource.getStatus();
    PhaseEvents.note(phase(previous), Statuses.readyReason(previous).orElse(null), plan.phase(),
            plan.outcome())
        .ifPresent(note -> new EventRecorder(context.getClient()).record(resource, note));
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
   * After the last retry of a failing reconciliation the resource reports {@code ReconcileError}
   * (Stalled) with the error; everything else in its status stays. Earlier attempts only retry.
   */
  @Override
  public ErrorStatusUpdateControl<P> updateErrorStatus(P resource, Context<P> context, Exception e) {
    boolean last = context.getRetryInfo().map(RetryInfo::isLastAttempt).orElse(true);
    LOG.warnf("reconciling %s %s/%s failed%s: %s", resource.getKind(),
        resource.getMetadata().getNamespace(), resource.getMetadata().getName(),
        last ? " (last attempt)" : "", e.getMessage());
    if (!last) {
      return ErrorStatusUpdateControl.defaultErrorProcessing();
    }
    S status = Optional.ofNullable(Statuses.copy(resource.getStatus(), statusType()))
        .orElseGet(this::emptyStatus);
    status.observedGeneration = resource.getMetadata().getGeneration();
    StatusConditions.apply(status, Outcome.of(Reason.ReconcileError,
        e.getMessage() == null ? e.toString() : e.getMessage()),
        resource.getMetadata().getGeneration(), clock.instant());
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
