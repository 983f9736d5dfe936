package dev.speculators.operator.pods;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.api.DatasetSource;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.api.HiddenStateDatasetSpec;
import dev.speculators.api.common.Engine;
import dev.speculators.api.common.PodOverrides;
import dev.speculators.api.common.VllmSpec;
import dev.speculators.io.StorageCheck;
import dev.speculators.operator.kube.ChildNames;
import dev.speculators.operator.kube.Labels;
import dev.speculators.operator.kube.Owners;
import dev.speculators.operator.kube.WorkloadSettings;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRuleBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The hidden-state generation workload of a HiddenStateDataset: a ConfigMap with the resolved work
 * (the {@code datagen} arguments as a picocli {@code @}-file, and the same as JSON for people), and
 * an Indexed Job with one index per shard whose pod runs vLLM with the {@code
 * extract_hidden_states} method as a native sidecar next to the {@code datagen} worker. With engine
 * {@code reference} the pod has no sidecar and no GPU: datagen computes the states itself.
 */
public final class DatagenWorkload {
  /** Name of the worker container. */
  public static final String CONTAINER = "datagen";

  /** Name of the init container that resolves default layer ids from the model's config. */
  public static final String LAYER_IDS_CONTAINER = "layer-ids";

  /** The args file inside the ConfigMap. */
  public static final String ARGS_KEY = "datagen.args";

  /** The human-readable work description inside the ConfigMap. */
  public static final String WORK_KEY = "work.json";

  /**
   * Name of the init container that checks, before vLLM starts, that the dataset fits its volume
   * ({@code datagen --preflight}).
   */
  public static final String PREFLIGHT_CONTAINER = "preflight";

  /** The environment variable with the pod's shard index. */
  public static final String INDEX_ENV = "JOB_COMPLETION_INDEX";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HiddenStateDataset dataset;
  private final HiddenStateDatasetSpec spec;
  private final StoragePlan storage;
  private final WorkloadSettings settings;
  private final ModelMount model;
  private final Map<String, String> inputClaims = new LinkedHashMap<>();
  private final List<String> dataSpecs = new ArrayList<>();
  private final boolean preflight;

  /** The workload without a pre-flight container (the operator's own check decided). */
  public DatagenWorkload(
      HiddenStateDataset dataset, StoragePlan storage, WorkloadSettings settings) {
    this(dataset, storage, settings, false);
  }

  /**
   * @param preflight whether each vLLM pod first checks, in an init container, that the dataset
   *     fits its volume (the operator could not decide: no readable config, no sample cap, an
   *     existing claim whose free space it cannot see, or an estimate at the sequence-length cap)
   */
  public DatagenWorkload(
      HiddenStateDataset dataset,
      StoragePlan storage,
      WorkloadSettings settings,
      boolean preflight) {
    this.preflight = preflight;
    this.dataset = dataset;
    this.spec = dataset.getSpec();
    this.storage = storage;
    this.settings = settings;
    this.model = ModelMount.of(spec.targetModel);
    for (DatasetSource source : spec.datasets) {
      dataSpecs.add(dataSpec(source));
    }
  }

  /** Name of the Job. */
  public static String jobName(HiddenStateDataset dataset) {
    return ChildNames.of(dataset.getMetadata().getName(), "datagen");
  }

  /** Name of the ConfigMap. */
  public static String configMapName(HiddenStateDataset dataset) {
    return ChildNames.of(dataset.getMetadata().getName(), "datagen");
  }

  /** The dataset directory a worker writes, as the worker container sees it. */
  public String outputPath() {
    return Volumes.DATA_PATH + "/" + storage.directory();
  }

  private boolean vllm() {
    return spec.engine != Engine.REFERENCE;
  }

  private int shards() {
    return spec.shards == null ? 1 : spec.shards;
  }

  private int sequenceLength() {
    return spec.sequenceLength == null
        ? HiddenStateDatasetSpec.DEFAULT_SEQUENCE_LENGTH
        : spec.sequenceLength;
  }

  /**
   * The context the extraction server serves: {@code vllm.maxModelLen}, else the model's own (null:
   * no {@code --max-model-len}). Not the sample length: datagen renders whole conversations with
   * the server's {@code /tokenize}, which refuses a chat longer than the served context, and
   * truncates them to {@code sequenceLength} itself; a server limited to the sample length would
   * turn every long conversation into a failed row instead of a truncated one.
   */
  private Integer maxModelLen() {
    return spec.vllm == null ? null : spec.vllm.maxModelLen;
  }

  /** The {@code datagen} arguments in the args file (the shard comes on the command line). */
  public List<String> arguments() {
    List<String> a = new ArrayList<>();
    if (vllm()) {
      a.add("--endpoint");
      a.add("http://127.0.0.1:" + VllmServer.PORT);
    }
    a.add("--model");
    a.add(model.argument());
    if (model.revision() != null) {
      a.add("--model-revision");
      a.add(model.revision());
    }
    for (String d : dataSpecs) {
      a.add("--data");
      a.add(d);
    }
    a.add("--output");
    a.add(outputPath());
    a.add("--seq-length");
    a.add(
        Integer.toString(
            spec.sequenceLength == null
                ? HiddenStateDatasetSpec.DEFAULT_SEQUENCE_LENGTH
                : spec.sequenceLength));
    if (spec.maxSamples != null) {
      a.add("--max-samples");
      a.add(Long.toString(spec.maxSamples));
    }
    if (spec.layerIds != null) {
      a.add("--layer-ids");
      a.add(spec.layerIds.stream().map(String::valueOf).collect(Collectors.joining(",")));
    }
    a.add("--concurrency");
    a.add(Integer.toString(spec.concurrency == null ? 32 : spec.concurrency));
    a.add("--seed");
    a.add(Long.toString(spec.seed == null ? 0 : spec.seed));
    a.add("--engine");
    a.add(vllm() ? "vllm" : "reference");
    // the content hash names files by their volume, not by where this pod mounts it
    for (Map.Entry<String, String> v : volumeNames().entrySet()) {
      a.add("--volume-name");
      a.add(v.getKey() + "=" + v.getValue());
    }
    if (vllm()) {
      a.add("--hidden-states-dir");
      a.add(Volumes.HIDDEN_STATES_PATH);
      a.add("--tensor-parallel-size");
      a.add(Integer.toString(vllmSpec().resolvedTensorParallelSize()));
    }
    return a;
  }

  /** The pod's volume mounts that hold inputs or outputs, by the name content hashes use. */
  Map<String, String> volumeNames() {
    Map<String, String> names = new LinkedHashMap<>();
    names.put(Volumes.DATA_PATH, Volumes.contentName(storage.claimName(), null));
    inputClaims.forEach(
        (claim, volume) ->
            names.put(Volumes.INPUTS_PATH + "/" + claim, Volumes.contentName(claim, null)));
    if (spec.targetModel.pvc != null) {
      names.put(
          Volumes.TARGET_MODEL_PATH,
          Volumes.contentName(spec.targetModel.pvc.claimName, spec.targetModel.pvc.subPath));
    }
    return names;
  }

  private VllmSpec vllmSpec() {
    return spec.vllm == null ? new VllmSpec() : spec.vllm;
  }

  /** One {@code --data} value: preset, Hub dataset or a file on a volume, with its options. */
  private String dataSpec(DatasetSource source) {
    StringBuilder s = new StringBuilder();
    if (source.preset != null) {
      s.append(source.preset.name().toLowerCase(java.util.Locale.ROOT));
    } else if (source.hf != null) {
      s.append(source.hf);
    } else if (source.path != null) {
      s.append(inputPath(source.path.claimName, source.path.path));
    } else {
      throw new IllegalArgumentException("datasets: exactly one of preset, hf or path must be set");
    }
    if (source.maxSamples != null) {
      s.append(",maxSamples=").append(source.maxSamples);
    }
    if (source.split != null) {
      s.append(",split=").append(source.split);
    }
    if (Boolean.TRUE.equals(source.turnDropout)) {
      s.append(",turnDropout=true");
    }
    return s.toString();
  }

  /**
   * Where a source file is in the container: on another claim under /inputs/&lt;claim&gt;, on the
   * dataset's own claim under /data, or (an absolute path without claim) in the image.
   */
  private String inputPath(String claim, String path) {
    String relative = path.startsWith("/") ? path.substring(1) : path;
    if (claim == null || claim.equals(storage.claimName())) {
      return path.startsWith("/") && claim == null ? path : Volumes.DATA_PATH + "/" + relative;
    }
    inputClaims.computeIfAbsent(claim, c -> Volumes.INPUT_PREFIX + inputClaims.size());
    return Volumes.INPUTS_PATH + "/" + claim + "/" + relative;
  }

  /** The ConfigMap with the args file and the work description. */
  public ConfigMap configMap() {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(configMapName(dataset))
        .withNamespace(dataset.getMetadata().getNamespace())
        .withLabels(Labels.of(dataset, CONTAINER))
        .withAnnotations(Labels.annotations(dataset))
        .withOwnerReferences(Owners.controllerRef(dataset))
        .endMetadata()
        .addToData(ARGS_KEY, ArgsFile.format(arguments()))
        .addToData(WORK_KEY, workDescription())
        .build();
  }

  private String workDescription() {
    ObjectNode w = JSON.createObjectNode();
    w.put("kind", "datagen");
    w.put("engine", vllm() ? "vllm" : "reference");
    w.put("model", model.argument());
    if (model.revision() != null) {
      w.put("revision", model.revision());
    }
    ArrayNode data = w.putArray("data");
    dataSpecs.forEach(data::add);
    w.put("sequenceLength", spec.sequenceLength);
    if (spec.maxSamples != null) {
      w.put("maxSamples", spec.maxSamples);
    }
    if (spec.layerIds != null) {
      ArrayNode ids = w.putArray("layerIds");
      spec.layerIds.forEach(ids::add);
    } else {
      w.put("layerIds", "default: [2, N/2, N-3, N] from the model's num_hidden_layers");
    }
    w.put("shards", shards());
    w.put("concurrency", spec.concurrency);
    w.put("seed", spec.seed);
    w.put("claimName", storage.claimName());
    w.put("directory", storage.directory());
    w.put("output", outputPath());
    if (vllm()) {
      ObjectNode v = w.putObject("vllm");
      v.put("tensorParallelSize", vllmSpec().resolvedTensorParallelSize());
      v.put("gpuMemoryUtilization", vllmSpec().resolvedGpuMemoryUtilization());
      v.put("maxModelLen", maxModelLen() == null ? "the model's own" : maxModelLen().toString());
    }
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(w) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The Indexed Job, one index per shard. */
  public Job job() {
    PodOverrides overrides = spec.podTemplate;
    String gpu = PodOverrides.gpuResourceName(overrides);
    List<Volume> volumes = new ArrayList<>();
    volumes.add(Volumes.claim(Volumes.DATA, storage.claimName(), false));
    volumes.add(Volumes.configMap(Volumes.WORK, configMapName(dataset)));
    volumes.add(SharedVolumes.hfCache(settings));
    if (model.volume() != null) {
      volumes.add(model.volume());
    }
    inputClaims.forEach((claim, volume) -> volumes.add(Volumes.claim(volume, claim, true)));

    List<VolumeMount> workerMounts = new ArrayList<>();
    workerMounts.add(Volumes.mount(Volumes.DATA, Volumes.DATA_PATH, false));
    workerMounts.add(Volumes.mount(Volumes.WORK, Volumes.WORK_PATH, true));
    workerMounts.add(Volumes.mount(Volumes.HF_CACHE, Volumes.HF_CACHE_PATH, false));
    if (model.mount() != null) {
      workerMounts.add(model.mount());
    }
    inputClaims.forEach(
        (claim, volume) ->
            workerMounts.add(Volumes.mount(volume, Volumes.INPUTS_PATH + "/" + claim, true)));

    List<Container> initContainers = new ArrayList<>();
    if (vllm() && preflight) {
      initContainers.add(preflightChecker(overrides, env(), List.copyOf(workerMounts)));
    }
    if (vllm()) {
      volumes.add(Volumes.emptyDir(Volumes.HIDDEN_STATES));
      volumes.add(SharedVolumes.shm(settings));
      workerMounts.add(Volumes.mount(Volumes.HIDDEN_STATES, Volumes.HIDDEN_STATES_PATH, false));
      List<VolumeMount> vllmMounts = new ArrayList<>();
      vllmMounts.add(Volumes.mount(Volumes.SHM, Volumes.SHM_PATH, false));
      vllmMounts.add(Volumes.mount(Volumes.HF_CACHE, Volumes.HF_CACHE_PATH, false));
      vllmMounts.add(Volumes.mount(Volumes.HIDDEN_STATES, Volumes.HIDDEN_STATES_PATH, false));
      if (model.mount() != null) {
        vllmMounts.add(model.mount());
      }
      if (spec.layerIds == null) {
        volumes.add(Volumes.emptyDir(Volumes.RUNTIME));
        vllmMounts.add(Volumes.mount(Volumes.RUNTIME, Volumes.RUNTIME_PATH, true));
        initContainers.add(layerIdsResolver(overrides));
      }
      String image =
          spec.vllm != null && spec.vllm.image != null ? spec.vllm.image : settings.vllmImage();
      volumes.addAll(VllmServer.scratchVolumes("vllm"));
      initContainers.add(
          VllmServer.extraction(
              new VllmServer.Common(
                  image,
                  spec.vllm,
                  model,
                  gpu,
                  maxModelLen(),
                  vllmMounts,
                  settings.workerUserId(),
                  settings),
              spec.layerIds));
    }

    List<EnvVar> env = env();

    Container worker =
        new ContainerBuilder()
            .withName(CONTAINER)
            .withImage(workerImage(overrides))
            .withArgs(
                CONTAINER,
                "@" + Volumes.WORK_PATH + "/" + ARGS_KEY,
                "--shard",
                "$(" + INDEX_ENV + ")/" + shards())
            .withEnv(env)
            .withResources(
                vllm()
                    ? ContainerResources.datagen(
                        spec.concurrency == null ? 32 : spec.concurrency,
                        sequenceLength(),
                        spec.layerIds == null
                            ? ContainerResources.DEFAULT_CAPTURED_LAYERS
                            : spec.layerIds.size())
                    : ContainerResources.reference())
            .withVolumeMounts(workerMounts)
            .withTerminationMessagePolicy("FallbackToLogsOnError")
            .withSecurityContext(PodSecurity.worker(settings.workerUserId()))
            .build();

    PodTemplateSpec template =
        new PodTemplateSpecBuilder()
            .withNewMetadata()
            .withLabels(Labels.of(dataset, CONTAINER))
            .withAnnotations(Labels.annotations(dataset))
            .endMetadata()
            .withNewSpec()
            .withInitContainers(initContainers)
            .withContainers(worker)
            .withVolumes(volumes)
            .withSecurityContext(PodSecurity.pod(settings.fsGroup()))
            .withTerminationGracePeriodSeconds(60L)
            .endSpec()
            .build();
    PodCustomizer.apply(overrides, template, CONTAINER);
    Job job =
        WorkloadJobs.build(
            dataset,
            new WorkloadJobs.Shape(
                jobName(dataset),
                CONTAINER,
                CONTAINER,
                spec.queueName,
                shards(),
                settings.backoffLimit(),
                List.of()),
            template);
    // a volume too small is not fixed by running the pod again
    for (String container : List.of(CONTAINER, PREFLIGHT_CONTAINER)) {
      job.getSpec()
          .getPodFailurePolicy()
          .getRules()
          .add(
              new PodFailurePolicyRuleBuilder()
                  .withAction("FailJob")
                  .withNewOnExitCodes()
                  .withContainerName(container)
                  .withOperator("In")
                  .withValues(StorageCheck.EXIT_CODE)
                  .endOnExitCodes()
                  .build());
    }
    return job;
  }

  /** The worker's environment: its shard index, the Hub cache, the Hub token. */
  private List<EnvVar> env() {
    List<EnvVar> env = new ArrayList<>();
    env.add(
        new EnvVarBuilder()
            .withName(INDEX_ENV)
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("metadata.annotations['batch.kubernetes.io/job-completion-index']")
            .endFieldRef()
            .endValueFrom()
            .build());
    env.add(SharedVolumes.hfHome());
    env.addAll(model.tokenEnv());
    return env;
  }

  /**
   * Init container before the vLLM server: the worker itself with {@code --preflight}, which plans
   * the rows, measures them with the model's own chat template and refuses (exit {@value
   * StorageCheck#EXIT_CODE}) when the dataset does not fit the free space of its volume.
   */
  private Container preflightChecker(
      PodOverrides overrides, List<EnvVar> env, List<VolumeMount> mounts) {
    return new ContainerBuilder()
        .withName(PREFLIGHT_CONTAINER)
        .withImage(workerImage(overrides))
        .withArgs(
            CONTAINER,
            "@" + Volumes.WORK_PATH + "/" + ARGS_KEY,
            "--shard",
            "$(" + INDEX_ENV + ")/" + shards(),
            "--preflight")
        .withEnv(env)
        .withResources(ContainerResources.preflight())
        .withVolumeMounts(mounts)
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .withSecurityContext(PodSecurity.worker(settings.workerUserId()))
        .build();
  }

  private String workerImage(PodOverrides overrides) {
    return overrides != null && overrides.image != null ? overrides.image : settings.workerImage();
  }

  /** Init container: reads the model's config and writes vLLM's extraction config. */
  private Container layerIdsResolver(PodOverrides overrides) {
    List<String> args = new ArrayList<>(List.of("layer-ids", "--model", model.argument()));
    if (model.revision() != null) {
      args.add("--revision");
      args.add(model.revision());
    }
    args.add("--speculative-config");
    args.add(VllmServer.RESOLVED_SPECULATIVE_CONFIG);
    List<VolumeMount> mounts = new ArrayList<>();
    mounts.add(Volumes.mount(Volumes.RUNTIME, Volumes.RUNTIME_PATH, false));
    mounts.add(Volumes.mount(Volumes.HF_CACHE, Volumes.HF_CACHE_PATH, false));
    if (model.mount() != null) {
      mounts.add(model.mount());
    }
    List<EnvVar> env = new ArrayList<>();
    env.add(SharedVolumes.hfHome());
    env.addAll(model.tokenEnv());
    return new ContainerBuilder()
        .withName(LAYER_IDS_CONTAINER)
        .withImage(workerImage(overrides))
        .withArgs(args)
        .withEnv(env)
        .withResources(ContainerResources.layerIds())
        .withVolumeMounts(mounts)
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .withSecurityContext(PodSecurity.worker(settings.workerUserId()))
        .build();
  }
}
