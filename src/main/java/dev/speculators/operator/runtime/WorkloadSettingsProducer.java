package dev.speculators.operator.runtime;

import dev.speculators.operator.kube.WorkloadSettings;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Hands the configured {@link OperatorSettings} to the controllers as a plain value. */
@Singleton
public class WorkloadSettingsProducer {

  @Produces
  @Singleton
  WorkloadSettings workloadSettings(OperatorSettings s) {
    return new WorkloadSettings(
        s.workerImage(),
        s.trainerImage(),
        s.evalImage(),
        s.vllmImage(),
        s.workerUserId(),
        s.trainerUserId(),
        s.evalUserId(),
        s.backoffLimit(),
        s.hfCacheClaim(),
        s.shmSizeLimit(),
        s.progressLogInterval(),
        s.podlessRecheckInterval(),
        s.fsGroup(),
        s.vllmRunAsRoot());
  }
}
