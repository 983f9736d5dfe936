package dev.speculators.operator.training;

import dev.speculators.api.SpeculatorTraining;
import dev.speculators.api.SpeculatorTrainingStatus;
import dev.speculators.operator.status.PendingReconciliation;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;

/** Controller of SpeculatorTraining: observes the generation and reports readiness. */
@ControllerConfiguration(name = SpeculatorTrainingReconciler.NAME)
public class SpeculatorTrainingReconciler implements Reconciler<SpeculatorTraining> {
  /** Controller name (metrics tag, configuration key). */
  public static final String NAME = "speculatortraining";

  private final Clock clock = Clock.systemUTC();

  @Override
  public UpdateControl<SpeculatorTraining> reconcile(
      SpeculatorTraining resource, Context<SpeculatorTraining> context) {
    SpeculatorTrainingStatus next = PendingReconciliation.status(
        resource, resource.getStatus(), new SpeculatorTrainingStatus(), clock.instant());
    if (next.equals(resource.getStatus())) {
      return UpdateControl.noUpdate();
    }
    resource.setStatus(next);
    return UpdateControl.patchStatus(resource);
  }
}
