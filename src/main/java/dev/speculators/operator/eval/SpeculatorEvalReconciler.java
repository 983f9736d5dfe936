package dev.speculators.operator.eval;

import dev.speculators.api.SpeculatorEval;
import dev.speculators.api.SpeculatorEvalStatus;
import dev.speculators.operator.status.PendingReconciliation;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;

/** Controller of SpeculatorEval: observes the generation and reports readiness. */
@ControllerConfiguration(name = SpeculatorEvalReconciler.NAME)
public class SpeculatorEvalReconciler implements Reconciler<SpeculatorEval> {
  /** Controller name (metrics tag, configuration key). */
  public static final String NAME = "speculatoreval";

  private final Clock clock = Clock.systemUTC();

  @Override
  public UpdateControl<SpeculatorEval> reconcile(
      SpeculatorEval resource, Context<SpeculatorEval> context) {
    SpeculatorEvalStatus next = PendingReconciliation.status(
        resource, resource.getStatus(), new SpeculatorEvalStatus(), clock.instant());
    if (next.equals(resource.getStatus())) {
      return UpdateControl.noUpdate();
    }
    resource.setStatus(next);
    return UpdateControl.patchStatus(resource);
  }
}
