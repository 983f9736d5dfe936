package dev.speculators.operator.dataset;

import dev.speculators.api.HiddenStateDataset;
import dev.speculators.api.HiddenStateDatasetStatus;
import dev.speculators.operator.status.PendingReconciliation;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;

/** Controller of HiddenStateDataset: observes the generation and reports readiness. */
@ControllerConfiguration(name = HiddenStateDatasetReconciler.NAME)
public class HiddenStateDatasetReconciler implements Reconciler<HiddenStateDataset> {
  /** Controller name (metrics tag, configuration key). */
  public static final String NAME = "hiddenstatedataset";

  private final Clock clock = Clock.systemUTC();

  @Override
  public UpdateControl<HiddenStateDataset> reconcile(
      HiddenStateDataset resource, Context<HiddenStateDataset> context) {
    HiddenStateDatasetStatus next = PendingReconciliation.status(
        resource, resource.getStatus(), new HiddenStateDatasetStatus(), clock.instant());
    if (next.equals(resource.getStatus())) {
      return UpdateControl.noUpdate();
    }
    resource.setStatus(next);
    return UpdateControl.patchStatus(resource);
  }
}
