package dev.speculators.operator.pods;

import dev.speculators.api.DraftSpec;
import dev.speculators.api.LrScheduler;
import dev.speculators.api.SpeculatorTraining;
import dev.speculators.api.SpeculatorTrainingSpec;
import dev.speculators.api.TrainingParameters;
import dev.speculators.api.TrainingResources;
import dev.speculators.api.TttInputs;
import dev.speculators.api.common.Engine;
import dev.speculators.api.common.ModelSource;
import dev.speculators.api.common.PodOverrides;
import dev.speculators.operator.kube.ChildNames;
import dev.speculators.operator.kube.Labels;
import dev.speculators.operator.kube.WorkloadSettings;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The trainer Job of a SpeculatorTraining: one {@code train} container with the GPUs, the dataset
 * mounted read-only at {@value Volumes#DATASET_PATH}, the output directory writable under {@value
 * Volumes#OUTPUT_PATH}. A restarted pod resumes from the newest complete checkpoint (the trainer
 * does that itself); SIGTERM makes it save a checkpoint and exit 143, which the Job's failure
 * policy retries without counting it as a failure, and the long grace period gives it the time to
 * write the checkpoint.
 */
public final class TrainerWorkload {
  /** Name of the trainer container. */
  public static final String CONTAINER = "train";

  /** Exit code of a trainer that saved a checkpoint after SIGTERM. */
  public static final int INTERRUPTED_EXIT_CODE = 143;

  /** Seconds a stopping trainer has to save its checkpoint. */
  public static final long GRACE_PERIOD_SECONDS = 600;

  /**
   * Where the training data is, and its shape where the dataset reported it.
   *
   * @param claimName the claim holding the dataset
   * @param directory the dataset directory inside the claim (with data/ and token_freq.pt)
   * @param hiddenSize the verifier's hidden size, or null
   * @param capturedLayers layers captured per token, or null
   * @param vocabSize the verifier's vocabulary, or null
   */
  public record DataLocation(
      String claimName,
      String directory,
      Integer hiddenSize,
      Integer capturedLayers,
      Integer vocabSize) {
    /** A dataset whose shape is not known (a path). */
    public DataLocation(String claimName, String directory) {
      this(claimName, directory, null, null, null);
    }
  }

  private final SpeculatorTraining training;
  private final SpeculatorTrainingSpec spec;
  private final DataLocation data;
  private final ModelMount verifier;
  private final StoragePlan output;
  private final WorkloadSettings settings;

  /**
   * @param training the resource
   * @param data where its dataset is
   * @param targetModel the verifier model (from the dataset, or the training's own field)
   * @param output the training's storage
   * @param settings operator settings
   */
  public TrainerWorkload(
      SpeculatorTraining training,
      DataLocation data,
      ModelSource targetModel,
      StoragePlan output,
      WorkloadSettings settings) {
    this.training = training;
    this.spec = training.getSpec();
    this.data = data;
    this.verifier = ModelMount.of(targetModel);
    this.output = output;
    this.settings = settings;
  }

  /** Name of the Job. */
  public static String jobName(SpeculatorTraining training) {
    return ChildNames.of(training.getMetadata().getName(), "train");
  }

  /** The output directory as the trainer sees it. */
  public String outputPath() {
    return Volumes.OUTPUT_PATH + "/" + output.directory();
  }

  private boolean gpu() {
    return spec.engine != Engine.REFERENCE;
  }

  /** The {@code train} command line. */
  public List<String> arguments() {
    DraftSpec d = spec.draft == null ? new DraftSpec() : spec.draft;
    TrainingParameters t = spec.training == null ? new TrainingParameters() : spec.training;
    List<String> a = new ArrayList<>();
    a.add(CONTAINER);
    // the trainer takes a Hub revision as id@revision
    add(
        a,
        "--verifier",
        verifier.revision() == null
            ? verifier.argument()
            : verifier.argument() + "@" + verifier.revision());
    add(a, "--verifier-name", verifier.displayName());
    add(a, "--data", Volumes.DATASET_PATH);
    add(a, "--output", outputPath());
    add(a, "--epochs", t.epochs);
    add(a, "--lr", t.learningRate);
    add(a, "--weight-decay", t.weightDecay);
    add(
        a,
        "--scheduler-type",
        (t.scheduler == null ? LrScheduler.LINEAR : t.scheduler).name().toLowerCase(Locale.ROOT));
    if (t.warmupSteps != null) {
      add(a, "--scheduler-warmup-steps", t.warmupSteps);
    } else if (t.warmupRatio != null) {
      add(a, "--scheduler-warmup-ratio", t.warmupRatio);
    }
    add(a, "--total-seq-len", t.maxSequenceLength);
    add(a, "--ttt-steps", d.tttSteps);
    add(a, "--validation-ttt-steps", d.resolvedValidationTttSteps());
    add(a, "--ttt-step-loss-decay", d.tttStepLossDecay);
    add(a, "--ttt-inputs", d.tttInputs == TttInputs.GROUND_TRUTH ? "ground-truth" : "draft");
    add(a, "--num-layers", d.numLayers);
    add(a, "--draft-vocab-size", d.draftVocabSize);
    if (Boolean.FALSE.equals(d.normBeforeResidual)) {
      a.add("--no-norm-before-residual");
    }
    if (Boolean.FALSE.equals(d.trainLmHead)) {
      a.add("--no-train-lm-head");
    }
    add(a, "--noise-std", t.noiseStd);
    add(a, "--grad-clip", t.gradClip);
    add(a, "--seed", t.seed);
    add(a, "--validation-ratio", t.validationRatio);
    add(a, "--log-every", t.logEverySteps);
    return a;
  }

  private static void add(List<String> args, String flag, Object value) {
    if (value != null) {
      args.add(flag);
      args.add(value instanceof Double v ? VllmServer.number(v) : String.valueOf(value));
    }
  }

  /** The trainer Job. */
  public Job job() {
    PodOverrides overrides = spec.podTemplate;
    List<Volume> volumes = new ArrayList<>();
    volumes.add(Volumes.claim(Volumes.DATASET, data.claimName(), true));
    volumes.add(Volumes.claim(Volumes.OUTPUT, output.claimName(), false));
    volumes.add(SharedVolumes.hfCache(settings));
    if (verifier.volume() != null) {
      volumes.add(verifier.volume());
    }
    List<VolumeMount> mounts = new ArrayList<>();
    mounts.add(Volumes.mount(Volumes.DATASET, Volumes.DATASET_PATH, data.directory(), true));
    mounts.add(Volumes.mount(Volumes.OUTPUT, Volumes.OUTPUT_PATH, false));
    mounts.add(Volumes.mount(Volumes.HF_CACHE, Volumes.HF_CACHE_PATH, false));
    if (verifier.mount() != null) {
      mounts.add(verifier.mount());
    }
    List<EnvVar> env = new ArrayList<>();
    env.add(SharedVolumes.hfHome());
    env.addAll(verifier.tokenEnv());

    String image =
        overrides != null && overrides.image != null
            ? overrides.image
            : gpu() ? settings.trainerImage() : settings.workerImage();
    long user = gpu() ? settings.trainerUserId() : settings.workerUserId();
    Container trainer =
        new ContainerBuilder()
            .withName(CONTAINER)
            .withImage(image)
            .withArgs(arguments())
            .withEnv(env)
            .withResources(resources(spec.resources, PodOverrides.gpuResourceName(overrides)))
            .withVolumeMounts(mounts)
            .withTerminationMessagePolicy("FallbackToLogsOnError")
            .withSecurityContext(PodSecurity.worker(user))
            .build();
    PodTemplateSpec template =
        new PodTemplateSpecBuilder()
            .withNewMetadata()
            .withLabels(Labels.of(training, CONTAINER))
            .withAnnotations(Labels.annotations(training))
            .endMetadata()
            .withNewSpec()
            .withContainers(trainer)
            .withVolumes(volumes)
            .withSecurityContext(PodSecurity.pod(settings.fsGroup()))
            .withTerminationGracePeriodSeconds(GRACE_PERIOD_SECONDS)
            .endSpec()
            .build();
    PodCustomizer.apply(overrides, template, CONTAINER);
    return WorkloadJobs.build(
        training,
        new WorkloadJobs.Shape(
            jobName(training),
            CONTAINER,
            CONTAINER,
            spec.queueName,
            0,
            settings.backoffLimit(),
            List.of(INTERRUPTED_EXIT_CODE)),
        template);
  }

  /**
   * Requests and limits of the trainer: the defaults of {@link ContainerResources#trainer} for the
   * dataset's shape (of {@link ContainerResources#reference} for the CPU engine), with the
   * resource's own requests and limits over them, plus its GPUs (engine vllm).
   */
  private ResourceRequirements resources(TrainingResources r, String gpuResource) {
    ResourceRequirementsBuilder b =
        new ResourceRequirementsBuilder(
            gpu() ? ContainerResources.trainer(shape()) : ContainerResources.reference());
    int gpus = r == null || r.gpus == null ? 1 : r.gpus;
    if (gpu() && gpus > 0) {
      Quantity q = new Quantity(Integer.toString(gpus));
      b.addToRequests(gpuResource, q).addToLimits(gpuResource, q);
    }
    ResourceRequirements defaults = b.build();
    if (r == null || (r.requests == null && r.limits == null)) {
      return defaults;
    }
    return PodCustomizer.mergeResources(
        defaults,
        new ResourceRequirementsBuilder().withRequests(r.requests).withLimits(r.limits).build());
  }

  /** What the trainer holds in host memory: the dataset's shape, else the defaults. */
  ContainerResources.TrainerShape shape() {
    TrainingParameters t = spec.training == null ? new TrainingParameters() : spec.training;
    Integer vocab =
        data.vocabSize() != null
            ? data.vocabSize()
            : spec.targetModel != null ? spec.targetModel.vocabSize : null;
    return new ContainerResources.TrainerShape(
        data.hiddenSize() != null ? data.hiddenSize() : ContainerResources.DEFAULT_HIDDEN_SIZE,
        data.capturedLayers() != null
            ? data.capturedLayers()
            : ContainerResources.DEFAULT_CAPTURED_LAYERS,
        vocab != null ? vocab : ContainerResources.DEFAULT_VOCAB_SIZE,
        t.maxSequenceLength != null ? t.maxSequenceLength : 8192);
  }
}
