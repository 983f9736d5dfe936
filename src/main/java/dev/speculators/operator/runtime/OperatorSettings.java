package dev.speculators.operator.runtime;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Settings of the operator process, from {@code application.properties} or the environment ({@code
 * SPECULATORS_WORKER_IMAGE}, {@code SPECULATORS_TRAINER_IMAGE}, {@code SPECULATORS_EVAL_IMAGE},
 * {@code SPECULATORS_VLLM_IMAGE}, ...).
 */
@ConfigMapping(prefix = "speculators")
public interface OperatorSettings {

  /**
   * Image of CPU workers (datagen client, {@code layer-ids}, reference engine): this application's
   * jar with the CPU libtorch ({@code images/worker}).
   */
  String workerImage();

  /** Image of the GPU trainer (this application's jar with CUDA libtorch). */
  String trainerImage();

  /** Image of the eval container (GuideLLM and this application's collector). */
  String evalImage();

  /** Default vLLM image; resources may override it in {@code vllm.image}. */
  String vllmImage();

  /** User id the worker image runs as ({@code USER} in {@code images/worker/Dockerfile}). */
  @WithDefault("10001")
  long workerUserId();

  /** User id the trainer image runs as ({@code USER} in {@code images/trainer/Dockerfile}). */
  @WithDefault("10001")
  long trainerUserId();

  /** User id the eval image runs as ({@code USER} in {@code images/eval/Dockerfile}). */
  @WithDefault("1001")
  long evalUserId();

  /**
   * Retries of a failed pod before its Job fails: per shard for the Indexed data-generation Job,
   * per Job otherwise. Disruptions (eviction, preemption, node drain) never count.
   */
  @WithDefault("3")
  int backoffLimit();

  /**
   * An existing PersistentVolumeClaim (ReadWriteMany) mounted as the Hugging Face cache of every
   * workload, so that models are downloaded once. Default: an emptyDir per pod.
   */
  Optional<String> hfCacheClaim();

  /** Size limit of the in-memory {@code /dev/shm} of vLLM containers. */
  @WithDefault("16Gi")
  String shmSizeLimit();

  /**
   * How often the log tail of a running trainer or eval pod is read for live progress ({@code
   * PROGRESS {json}} lines). 0 turns log reading off.
   */
  @WithDefault("30s")
  Duration progressLogInterval();

  /**
   * How often a Job that has no pods is looked at again: pods that cannot be created (exceeded
   * quota, an admission webhook) show only in the Job's FailedCreate events, which are not watched.
   * Also how often a succeeded Job whose pods have not reported their final state is looked at.
   */
  @WithDefault("30s")
  Duration podlessRecheckInterval();

  /**
   * The {@code fsGroup} of every workload pod. One group for all pods keeps a shared volume (the
   * Hugging Face cache claim) from being re-owned by each pod, and its files group-writable for
   * every container (they create files group-writable).
   */
  @WithDefault("10001")
  long fsGroup();

  /**
   * Runs the vLLM containers as root, for a vLLM image that cannot run as another user. Their pods
   * then do not pass Pod Security "restricted" (use a namespace at "baseline"). By default vLLM
   * runs as the pod's worker user with its home, caches and {@code /tmp} on emptyDirs.
   */
  @WithDefault("false")
  boolean vllmRunAsRoot();

  /**
   * Where the operator itself can read target models' {@code config.json} for the storage
   * pre-flight before any Job: {@code pvc:<claim>=<dir>} for a claim mounted into the operator's
   * pod at dir, or {@code <path>=<dir>} for model paths of the worker image available at dir.
   * Models elsewhere are checked in their pods, before vLLM starts.
   */
  @WithName("preflight.model-roots")
  Optional<List<String>> preflightModelRoots();

  /**
   * Whether the operator may fetch {@code config.json} of public Hub models for the storage
   * pre-flight (gated models, with a token Secret, are always checked in their pods).
   */
  @WithName("preflight.hub")
  @WithDefault("false")
  boolean preflightHub();
}
