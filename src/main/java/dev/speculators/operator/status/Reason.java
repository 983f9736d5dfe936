package dev.speculators.operator.status;

/**
 * The reasons of the {@code Ready}, {@code Progressing}, {@code Reconciling}, {@code Stalled} and
 * {@code Failed} conditions: one catalogue for all three kinds, documented in docs/operator.md. A
 * reason belongs to one {@link Outcome.State}; the conditions follow from the state (see {@link
 * StatusConditions}).
 */
public enum Reason {
  // -- in progress ---------------------------------------------------------------------------
  /** The operator accepted the resource and is creating its workload. */
  Pending(Outcome.State.IN_PROGRESS, "The resource was accepted; its workload is being created."),
  /** The Job exists, its pods are not running yet (scheduling, image pulls, vLLM loading). */
  PodsStarting(
      Outcome.State.IN_PROGRESS,
      "The workload Job exists; its pods are being scheduled or started (image pull, vLLM loading the model)."),
  /** The Job is suspended: Kueue has not admitted it yet. */
  Queued(
      Outcome.State.IN_PROGRESS,
      "The Job waits for admission by Kueue (spec.queueName) or is suspended."),
  /** Hidden states are being generated. */
  Generating(Outcome.State.IN_PROGRESS, "Data generation pods are running."),
  /** The trainer is running. */
  Training(Outcome.State.IN_PROGRESS, "The trainer pod is running."),
  /**
   * An eval pod is running (SpeculatorEval), or the training's evaluation is (SpeculatorTraining).
   */
  Evaluating(Outcome.State.IN_PROGRESS, "The evaluation is running."),
  /** A pod failed and the Job runs it again, within its backoff limit. */
  Retrying(
      Outcome.State.IN_PROGRESS,
      "A pod failed (the message says why) and the Job retries it within its backoff limit."),
  /**
   * The Job succeeded, and the operator waits for its pods' final state with the worker's summary
   * (the results): the Job's completion and its pods reach the operator by separate watches.
   */
  CollectingResults(
      Outcome.State.IN_PROGRESS,
      "The Job succeeded; the operator waits for its pods' final state, whose termination message carries the results."),
  /** The referenced or owned dataset is not ready yet. */
  WaitingForDataset(
      Outcome.State.IN_PROGRESS, "The training waits for its HiddenStateDataset to succeed."),
  /** The referenced training has not produced its speculator yet. */
  WaitingForTraining(
      Outcome.State.IN_PROGRESS,
      "The evaluation waits for its SpeculatorTraining to write the final speculator."),

  // -- stalled: needs attention, resumes by itself once the cause is fixed ---------------------
  /** The referenced HiddenStateDataset does not exist. */
  DatasetNotFound(
      Outcome.State.STALLED, "spec.dataset.ref names a HiddenStateDataset that does not exist."),
  /** The dataset the training depends on failed. */
  DatasetFailed(Outcome.State.STALLED, "The HiddenStateDataset the training depends on failed."),
  /** The referenced SpeculatorTraining does not exist. */
  TrainingNotFound(
      Outcome.State.STALLED,
      "spec.speculator.trainingRef names a SpeculatorTraining that does not exist."),
  /** The training the evaluation depends on failed before writing a speculator. */
  TrainingFailed(
      Outcome.State.STALLED,
      "The SpeculatorTraining the evaluation depends on failed without a final speculator."),
  /** No node can run the pod (no free GPU of the requested kind, taints, node selector). */
  Unschedulable(
      Outcome.State.STALLED,
      "The scheduler cannot place a pod (PodScheduled=False, reason Unschedulable): no node with free GPUs, or selectors and taints exclude all nodes."),
  /** A PersistentVolumeClaim the pod needs does not exist or is not bound. */
  VolumeUnavailable(
      Outcome.State.STALLED,
      "A PersistentVolumeClaim the pod mounts does not exist or cannot be bound."),
  /** An image cannot be pulled. */
  ImagePullFailed(
      Outcome.State.STALLED,
      "An image cannot be pulled (ErrImagePull, ImagePullBackOff, InvalidImageName)."),
  /** A container cannot be created: a Secret or ConfigMap (key) it references is missing. */
  ContainerConfigError(
      Outcome.State.STALLED,
      "A container cannot be created (CreateContainerConfigError), e.g. the Secret in tokenSecretRef or its key is missing."),
  /** A container keeps crashing (for a vLLM sidecar the pod never fails by itself). */
  CrashLoopBackOff(
      Outcome.State.STALLED,
      "A container keeps crashing and restarting; the message has its last exit and log tail."),
  /** The Job controller cannot create pods (quota, admission policy). */
  PodCreationFailed(
      Outcome.State.STALLED,
      "The Job controller cannot create pods (FailedCreate: exceeded quota, admission webhook, pod security)."),
  /** An object with the name of a child exists but belongs to something else. */
  NameConflict(
      Outcome.State.STALLED,
      "An object with the name the operator needs for a child exists and is not owned by this resource."),
  /** The spec passed admission but cannot be run as given. */
  InvalidSpec(
      Outcome.State.STALLED,
      "The spec cannot be turned into a workload; the message names the field."),
  /** The operator could not reach the API server or got an error from it; it retries. */
  ReconcileError(
      Outcome.State.STALLED,
      "The operator got an error from the API server and retries with backoff."),

  // -- terminal --------------------------------------------------------------------------------
  /** The work finished (and the evaluation passed the acceptance gate, if any). */
  Succeeded(Outcome.State.SUCCEEDED, "The work finished; results are in status.results."),
  /**
   * The work finished but a worker's summary cannot be read: its pod was deleted, or its
   * termination message is empty or truncated. The results it carries stay unset; what is known
   * without it (the claim, paths on the volume) is in status.results.
   */
  SummaryUnavailable(
      Outcome.State.SUCCEEDED,
      "The work finished, but a worker's summary cannot be read (its pod was deleted, or its termination message is empty or truncated): status.results.missingSummary says which; the results on the volume and their paths are kept, the numbers from the summary stay unset."),
  /** The dataset uses the volume of an equal one instead of generating (status.reusedFrom). */
  Reused(
      Outcome.State.SUCCEEDED,
      "A Succeeded HiddenStateDataset in the namespace has the same content hash: this one uses its volume (status.reusedFrom, status.results) and generates nothing."),
  /** The volume cannot hold what the work will write. */
  StorageTooSmall(
      Outcome.State.FAILED,
      "The volume cannot hold what the work will write (estimated before any Job, in the pod before vLLM starts, or by the worker before its first sample); the message names both sizes and the size to ask for."),
  /** A container was killed for exceeding its memory limit, and the Job gave up. */
  OOMKilled(
      Outcome.State.FAILED,
      "A container exceeded its memory limit (OOMKilled) on the last attempt."),
  /** The worker exited with an error on every attempt. */
  BackoffLimitExceeded(
      Outcome.State.FAILED,
      "The Job failed more often than its backoff limit allows; the message has the last pod's error."),
  /** The worker rejected its arguments (exit code 2); retrying cannot help. */
  InvalidArguments(
      Outcome.State.FAILED,
      "The worker rejected its input (exit code 2, stopped by the Job's pod failure policy); the message has the error."),
  /** The Job ran past its deadline. */
  DeadlineExceeded(Outcome.State.FAILED, "The Job ran longer than its active deadline."),
  /** The Job failed for another reason. */
  JobFailed(Outcome.State.FAILED, "The Job failed; the message has the Job's reason."),
  /** The training's evaluation failed. */
  EvaluationFailed(Outcome.State.FAILED, "The SpeculatorEval created from spec.evaluation failed."),
  /** The evaluation's mean acceptance length is below spec.acceptanceGate. */
  AcceptanceBelowGate(
      Outcome.State.FAILED,
      "The evaluation's mean acceptance length is below spec.acceptanceGate.minMeanAcceptanceLength (the speculator is kept)."),
  /** A child the finished work needs (a dataset or training) was deleted. */
  DependencyDeleted(Outcome.State.FAILED, "An object the finished work depended on was deleted.");

  private final Outcome.State state;
  private final String description;

  Reason(Outcome.State state, String description) {
    this.state = state;
    this.description = description;
  }

  /** The state this reason reports. */
  public Outcome.State state() {
    return state;
  }

  /**
   * True when the reason deserves a Warning Event: the resource stalls or fails, or it finished
   * without all of its results.
   */
  public boolean warns() {
    return state == Outcome.State.STALLED
        || state == Outcome.State.FAILED
        || this == SummaryUnavailable;
  }

  /** What the reason means, for the documentation. */
  public String description() {
    return description;
  }
}
