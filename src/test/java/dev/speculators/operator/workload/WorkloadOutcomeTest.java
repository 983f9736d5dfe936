package dev.speculators.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.speculators.operator.status.Outcome;
import dev.speculators.operator.status.Reason;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WorkloadOutcomeTest {

  private static JobBuilder job() {
    return new JobBuilder()
        .withNewMetadata()
        .withName("j")
        .endMetadata()
        .withNewSpec()
        .endSpec()
        .withNewStatus()
        .endStatus();
  }

  private static Job failedJob(String reason) {
    return job()
        .editStatus()
        .withFailed(4)
        .addToConditions(
            new JobConditionBuilder()
                .withType("Failed")
                .withStatus("True")
                .withReason(reason)
                .withMessage("Job has reached the specified backoff limit")
                .build())
        .endStatus()
        .build();
  }

  private static Outcome outcome(Job job, List<Pod> pods, Optional<String> failedCreate) {
    return WorkloadOutcome.of(
        new WorkloadOutcome.Observed(JobState.of(job), pods, "train", failedCreate, "q"),
        Reason.Training,
        "training: epoch 1/3");
  }

  @Test
  void aRunningWorkerReportsTheKindsRunningReason() {
    Outcome o =
        outcome(
            job().editStatus().withActive(1).endStatus().build(),
            List.of(Pods.running("p", "train")),
            Optional.empty());
    assertThat(o.reason()).isEqualTo(Reason.Training);
    assertThat(o.message()).isEqualTo("training: epoch 1/3");
  }

  @Test
  void aSuspendedJobIsQueuedForKueue() {
    Outcome o =
        outcome(job().editSpec().withSuspend(true).endSpec().build(), List.of(), Optional.empty());
    assertThat(o.reason()).isEqualTo(Reason.Queued);
    assertThat(o.message()).contains("queue q");
  }

  @Test
  void aFailedAttemptIsRetriedWithItsReasonShown() {
    Pod failed = Pods.failed("p1", "2026-01-01T00:00:00Z", "train", 137, "OOMKilled", "");
    Outcome retrying =
        outcome(
            job().editStatus().withFailed(1).endStatus().build(),
            List.of(failed),
            Optional.empty());
    assertThat(retrying.reason()).isEqualTo(Reason.Retrying);
    assertThat(retrying.message())
        .contains("1 failed attempt", "p1", "exited with code 137", "OOMKilled");
    Outcome running =
        outcome(
            job().editStatus().withFailed(1).endStatus().build(),
            List.of(failed, Pods.running("p2", "train")),
            Optional.empty());
    assertThat(running.reason()).isEqualTo(Reason.Training);
    assertThat(running.message()).contains("1 failed attempt(s), last: pod p1");
  }

  @Test
  void aFailedJobReportsThePodsReason() {
    Pod oom = Pods.failed("p", "2026-01-01T00:00:00Z", "train", 137, "OOMKilled", "");
    assertThat(outcome(failedJob("BackoffLimitExceeded"), List.of(oom), Optional.empty()).reason())
        .isEqualTo(Reason.OOMKilled);
    Pod err =
        Pods.failed(
            "p",
            "2026-01-01T00:00:00Z",
            "train",
            1,
            "Error",
            "{\"kind\":\"train\",\"error\":\"data/: no samples\"}");
    Outcome o = outcome(failedJob("BackoffLimitExceeded"), List.of(err), Optional.empty());
    assertThat(o.reason()).isEqualTo(Reason.BackoffLimitExceeded);
    assertThat(o.state()).isEqualTo(Outcome.State.FAILED);
    assertThat(o.message())
        .contains("Job j failed (BackoffLimitExceeded)", "data/: no samples", "code 1");
    Pod usage = Pods.failed("p", "2026-01-01T00:00:00Z", "train", 2, "Error", "bad flag");
    assertThat(outcome(failedJob("PodFailurePolicy"), List.of(usage), Optional.empty()).reason())
        .isEqualTo(Reason.InvalidArguments);
    assertThat(outcome(failedJob("DeadlineExceeded"), List.of(), Optional.empty()).reason())
        .isEqualTo(Reason.DeadlineExceeded);
  }

  @Test
  void aJobThatCannotCreatePodsSaysWhy() {
    Outcome o =
        outcome(
            job().build(),
            List.of(),
            Optional.of("pods \"j-abc\" is forbidden: exceeded quota: gpu-quota"));
    assertThat(o.reason()).isEqualTo(Reason.PodCreationFailed);
    assertThat(o.message()).contains("exceeded quota");
    assertThat(outcome(job().build(), List.of(), Optional.empty()).reason())
        .isEqualTo(Reason.PodsStarting);
  }

  @Test
  void jobStateReadsIndexesAndTerminalConditions() {
    Job j =
        job()
            .editStatus()
            .withCompletedIndexes("0-2,5")
            .withFailedIndexes("4")
            .withActive(2)
            .endStatus()
            .build();
    JobState s = JobState.of(j);
    assertThat(s.shardsSucceeded()).isEqualTo(4);
    assertThat(Indexes.count(s.failedIndexes())).isEqualTo(1);
    assertThat(Indexes.contains("0-2,5", 1)).isTrue();
    assertThat(Indexes.contains("0-2,5", 4)).isFalse();
    assertThat(
            JobState.of(
                    job()
                        .editStatus()
                        .addToConditions(
                            new JobConditionBuilder()
                                .withType("SuccessCriteriaMet")
                                .withStatus("True")
                                .build())
                        .endStatus()
                        .build())
                .phase())
        .isEqualTo(JobState.Phase.SUCCEEDED);
  }
}
