package dev.speculators.operator.workload;

import dev.speculators.io.StorageCheck;
import dev.speculators.operator.status.Outcome;
import dev.speculators.operator.status.Reason;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Optional;

/**
 * Where a workload is, from what was observed of its Job and pods: the one place that turns Job
 * conditions, pod trouble and pod failures into an {@link Outcome}. The kind-specific planners add
 * progress and results.
 */
public final class WorkloadOutcome {
  private WorkloadOutcome() {}

  /**
   * What was observed of one workload Job.
   *
   * @param job its state
   * @param pods its pods (live and finished)
   * @param worker the worker container's name
   * @param failedCreate the message of a recent FailedCreate event of the Job, if any
   * @param queueName the Kueue queue, or null
   */
  public record Observed(
      JobState job,
      List<Pod> pods,
      String worker,
      Optional<String> failedCreate,
      String queueName) {}

  /**
   * The outcome of a Job that has not succeeded, or {@code Succeeded} for one that has.
   *
   * @param running the reason to report while the worker runs
   * @param runningMessage the message to report while the worker runs
   */
  public static Outcome of(Observed o, Reason running, String runningMessage) {
    JobState job = o.job();
    switch (job.phase()) {
      case SUCCEEDED:
        return Outcome.of(Reason.Succeeded, "Job " + job.name() + " succeeded");
      case FAILED:
        return failed(o);
      case SUSPENDED:
        return Outcome.of(
            Reason.Queued,
            "Job "
                + job.name()
                + " is suspended"
                + (o.queueName() == null
                    ? ""
                    : ", waiting for admission by Kueue in queue " + o.queueName()));
      default:
        break;
    }
    Optional<Outcome> trouble = PodDiagnosis.diagnose(o.pods());
    if (trouble.isPresent()) {
      return trouble.get();
    }
    boolean anyLive = o.pods().stream().anyMatch(PodDiagnosis::live);
    if (!anyLive && o.failedCreate().isPresent()) {
      return Outcome.of(
          Reason.PodCreationFailed,
          "Job " + job.name() + " cannot create pods: " + o.failedCreate().get());
    }
    Optional<PodFailures.Failure> lastFailure =
        job.failed() > 0 ? PodFailures.newest(o.pods(), o.worker()) : Optional.empty();
    String retries =
        lastFailure
            .map(f -> "; " + job.failed() + " failed attempt(s), last: " + f.describe())
            .orElse("");
    if (o.pods().stream().anyMatch(p -> PodDiagnosis.live(p) && workerRunning(p, o.worker()))) {
      return Outcome.of(running, runningMessage + retries);
    }
    if (lastFailure.isPresent()) {
      return Outcome.of(
          Reason.Retrying,
          "Job "
              + job.name()
              + " retries after "
              + job.failed()
              + " failed attempt(s), last: "
              + lastFailure.get().describe());
    }
    return Outcome.of(Reason.PodsStarting, "Job " + job.name() + ": " + startingDetail(o));
  }

  private static String startingDetail(Observed o) {
    for (Pod p : o.pods()) {
      if (!PodDiagnosis.live(p)
          || p.getStatus() == null
          || p.getStatus().getInitContainerStatuses() == null) {
        continue;
      }
      for (ContainerStatus s : p.getStatus().getInitContainerStatuses()) {
        boolean sidecarUp = s.getState() != null && s.getState().getRunning() != null;
        if (sidecarUp && !Boolean.TRUE.equals(s.getStarted())) {
          return "pod "
              + p.getMetadata().getName()
              + ": "
              + s.getName()
              + " is starting (loading the model)";
        }
      }
    }
    return o.pods().isEmpty() ? "waiting for pods to be created" : "waiting for pods to start";
  }

  private static boolean workerRunning(Pod pod, String worker) {
    return TerminationMessages.status(pod, worker)
        .map(s -> s.getState() != null && s.getState().getRunning() != null)
        .orElse(false);
  }

  private static Outcome failed(Observed o) {
    JobState job = o.job();
    Optional<PodFailures.Failure> f = PodFailures.newest(o.pods(), o.worker());
    Reason reason;
    if (f.isPresent() && f.get().oomKilled()) {
      reason = Reason.OOMKilled;
    } else if (f.isPresent() && storageRefused(f.get())) {
      reason = Reason.StorageTooSmall;
    } else if ("PodFailurePolicy".equals(job.reason())) {
      reason = Reason.InvalidArguments;
    } else if ("DeadlineExceeded".equals(job.reason())) {
      reason = Reason.DeadlineExceeded;
    } else if ("BackoffLimitExceeded".equals(job.reason())
        || "FailedIndexes".equals(job.reason())
        || "MaxFailedIndexesExceeded".equals(job.reason())) {
      reason = Reason.BackoffLimitExceeded;
    } else {
      reason = Reason.JobFailed;
    }
    StringBuilder m = new StringBuilder("Job ").append(job.name()).append(" failed");
    if (job.reason() != null) {
      m.append(" (").append(job.reason()).append(')');
    }
    if (job.message() != null && !job.message().isBlank()) {
      m.append(": ").append(job.message());
    }
    f.ifPresent(x -> m.append("; last failure: ").append(x.describe()));
    return Outcome.of(reason, m.toString());
  }

  /** A pre-flight container or worker that refused its work because the volume is too small. */
  private static boolean storageRefused(PodFailures.Failure f) {
    return f.exitCode() != null && f.exitCode() == StorageCheck.EXIT_CODE;
  }
}
