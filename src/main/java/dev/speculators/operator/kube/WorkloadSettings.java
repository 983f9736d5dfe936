package dev.speculators.operator.kube;

import java.time.Duration;
import java.util.Optional;

/**
 * The operator settings the pod builders and reconcilers need, as a plain value: the builders stay
 * pure functions that unit tests call without a running application.
 *
 * @param workerImage image of CPU workers (datagen client, reference engine)
 * @param trainerImage image of the GPU trainer
 * @param evalImage image of the eval container (GuideLLM + collector)
 * @param vllmImage default vLLM image
 * @param workerUserId user id of the worker image
 * @param trainerUserId user id of the trainer image
 * @param evalUserId user id of the eval image
 * @param backoffLimit retries of a failed pod (per shard for data generation)
 * @param hfCacheClaim a shared PVC for the Hugging Face cache, or empty for an emptyDir per pod
 * @param shmSizeLimit size limit of vLLM's in-memory /dev/shm
 * @param progressLogInterval how often a running pod's log tail is read (zero: never)
 * @param podlessRecheckInterval how often a Job without pods is looked at again (its FailedCreate
 *     events are not watched), and a succeeded Job whose pods have not reported yet
 * @param fsGroup the {@code fsGroup} of every workload pod: one group for all of them, so a shared
 *     volume (the Hugging Face cache claim) is never re-owned and its files stay group-writable
 * @param vllmRunAsRoot run vLLM as root (for images that need it; such pods are not Pod Security
 *     "restricted"); by default vLLM runs as the pod's worker user
 */
public record WorkloadSettings(
    String workerImage,
    String trainerImage,
    String evalImage,
    String vllmImage,
    long workerUserId,
    long trainerUserId,
    long evalUserId,
    int backoffLimit,
    Optional<String> hfCacheClaim,
    String shmSizeLimit,
    Duration progressLogInterval,
    Duration podlessRecheckInterval,
    long fsGroup,
    boolean vllmRunAsRoot) {

  /** Settings with the defaults of {@code application.properties}, for tests and tools. */
  public static WorkloadSettings defaults() {
    return new WorkloadSettings(
        "speculators/worker:test",
        "speculators/trainer:test",
        "speculators/eval:test",
        "vllm/vllm-openai:v0.28.0",
        10001,
        10001,
        1001,
        3,
        Optional.empty(),
        "16Gi",
        Duration.ofSeconds(30),
        Duration.ofSeconds(30),
        10001,
        false);
  }

  /** A copy with another progress log interval. */
  public WorkloadSettings withProgressLogInterval(Duration interval) {
    return new WorkloadSettings(
        workerImage,
        trainerImage,
        evalImage,
        vllmImage,
        workerUserId,
        trainerUserId,
        evalUserId,
        backoffLimit,
        hfCacheClaim,
        shmSizeLimit,
        interval,
        podlessRecheckInterval,
        fsGroup,
        vllmRunAsRoot);
  }

  /** A copy with a shared Hugging Face cache claim. */
  public WorkloadSettings withHfCacheClaim(String claim) {
    return new WorkloadSettings(
        workerImage,
        trainerImage,
        evalImage,
        vllmImage,
        workerUserId,
        trainerUserId,
        evalUserId,
        backoffLimit,
        Optional.ofNullable(claim),
        shmSizeLimit,
        progressLogInterval,
        podlessRecheckInterval,
        fsGroup,
        vllmRunAsRoot);
  }

  /** A copy that runs vLLM as root (or not). */
  public WorkloadSettings withVllmRunAsRoot(boolean root) {
    return new WorkloadSettings(
        workerImage,
        trainerImage,
        evalImage,
        vllmImage,
        workerUserId,
        trainerUserId,
        evalUserId,
        backoffLimit,
        hfCacheClaim,
        shmSizeLimit,
        progressLogInterval,
        podlessRecheckInterval,
        fsGroup,
        root);
  }
}
