package dev.speculators.operator.workload;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import java.util.List;

/**
 * Where a workload Job is, read from its status as the Job controller writes it.
 *
 * @param name the Job's name
 * @param phase running, suspended (Kueue), succeeded or failed
 * @param reason the reason of the terminal condition (e.g. BackoffLimitExceeded), or null
 * @param message the message of the terminal condition, or null
 * @param active pods running or pending
 * @param succeeded pods that succeeded
 * @param failed pods that failed (retries included)
 * @param completedIndexes indexes that succeeded (Indexed Jobs)
 * @param failedIndexes indexes that failed for good (per-index backoff)
 * @param startTime when the Job started, or null
 * @param completionTime when it succeeded, or null
 */
public record JobState(
    String name,
    Phase phase,
    String reason,
    String message,
    int active,
    int succeeded,
    int failed,
    String completedIndexes,
    String failedIndexes,
    String startTime,
    String completionTime) {

  /** The phases of a Job. */
  public enum Phase {
    RUNNING,
    SUSPENDED,
    SUCCEEDED,
    FAILED
  }

  /** The state of {@code job}. */
  public static JobState of(Job job) {
    JobStatus s = job.getStatus() == null ? new JobStatus() : job.getStatus();
    List<JobCondition> conditions = s.getConditions() == null ? List.of() : s.getConditions();
    Phase phase = Phase.RUNNING;
    String reason = null;
    String message = null;
    for (JobCondition c : conditions) {
      if (!"True".equals(c.getStatus())) {
        continue;
      }
      switch (c.getType()) {
        // SuccessCriteriaMet and FailureTarget come first on newer clusters, before pods end
        case "Complete", "SuccessCriteriaMet" -> {
          if (phase != Phase.FAILED) {
            phase = Phase.SUCCEEDED;
          }
        }
        case "Failed", "FailureTarget" -> {
          phase = Phase.FAILED;
          reason = c.getReason();
          message = c.getMessage();
        }
        default -> {}
      }
    }
    if (phase == Phase.RUNNING
        && job.getSpec() != null
        && Boolean.TRUE.equals(job.getSpec().getSuspend())) {
      phase = Phase.SUSPENDED;
    }
    return new JobState(
        job.getMetadata().getName(),
        phase,
        reason,
        message,
        nz(s.getActive()),
        nz(s.getSucceeded()),
        nz(s.getFailed()),
        s.getCompletedIndexes(),
        s.getFailedIndexes(),
        s.getStartTime(),
        s.getCompletionTime());
  }

  private static int nz(Integer i) {
    return i == null ? 0 : i;
  }

  /** Shards done: completed indexes, or succeeded pods for a Job without them. */
  public int shardsSucceeded() {
    return completedIndexes != null ? Indexes.count(completedIndexes) : succeeded;
  }
}
