package dev.speculators.operator.pods;

import dev.speculators.api.GuideLlmProfile;
import dev.speculators.api.GuideLlmSpec;
import dev.speculators.api.SamplingSpec;
import dev.speculators.api.SpeculatorEval;
import dev.speculators.api.SpeculatorEvalSpec;
import dev.speculators.api.common.Engine;
import dev.speculators.api.common.ModelSource;
import dev.speculators.api.common.PodOverrides;
import dev.speculators.api.common.VllmSpec;
import dev.speculators.operator.kube.ChildNames;
import dev.speculators.operator.kube.Labels;
import dev.speculators.operator.kube.WorkloadSettings;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The evaluation Job of a SpeculatorEval. With engine {@code vllm} its pod runs vLLM serving the
 * target with the speculator as a native sidecar on port {@value VllmServer#PORT} and the {@code
 * eval} container (GuideLLM + collector) that benchmarks it. With {@code baseline: true} a second
 * sidecar serves the target without speculation on port {@value VllmServer#BASELINE_PORT}, on GPUs
 * of its own, and the eval container runs every dataset against both, so both runs share the node,
 * the model files and the time window. With engine {@code reference} the eval container simulates
 * speculative decoding on the CPU: no sidecar, no GPU.
 */
public final class EvalWorkload {
  /** Name of the eval container. */
  public static final String CONTAINER = "eval";

  /** Name of the speculative server container. */
  public static final String VLLM_CONTAINER = "vllm";

  /** Name of the baseline server container. */
  public static final String BASELINE_CONTAINER = "vllm-baseline";

  /**
   * The speculator under test: a Hugging Face id, or a directory on a claim.
   *
   * @param hfId Hub id, or null
   * @param revision Hub revision, or null
   * @param claimName claim holding the speculator directory, or null
   * @param directory the speculator directory inside the claim (config.json + model.safetensors)
   */
  public record SpeculatorLocation(
      String hfId, String revision, String claimName, String directory) {
    public static SpeculatorLocation hub(String id, String revision) {
      return new SpeculatorLocation(id, revision, null, null);
    }

    public static SpeculatorLocation volume(String claimName, String directory) {
      return new SpeculatorLocation(null, null, claimName, directory);
    }
  }

  private final SpeculatorEval eval;
  private final SpeculatorEvalSpec spec;
  private final ModelMount target;
  private final SpeculatorLocation speculator;
  private final StoragePlan results;
  private final WorkloadSettings settings;

  /**
   * @param eval the resource
   * @param resolved its spec with presets and defaults applied ({@code EvalPresets.resolve})
   * @param targetModel the target model (from the spec, the preset or the training)
   * @param speculator where the speculator is
   * @param results the eval's storage
   * @param settings operator settings
   */
  public EvalWorkload(
      SpeculatorEval eval,
      SpeculatorEvalSpec resolved,
      ModelSource targetModel,
      SpeculatorLocation speculator,
      StoragePlan results,
      WorkloadSettings settings) {
    this.eval = eval;
    this.spec = resolved;
    this.target = ModelMount.of(targetModel);
    this.speculator = speculator;
    this.results = results;
    this.settings = settings;
  }

  /** Name of the Job. */
  public static String jobName(SpeculatorEval eval) {
    return ChildNames.of(eval.getMetadata().getName(), "eval");
  }

  /** The results directory as the eval container sees it. */
  public String outputPath() {
    return Volumes.RESULTS_PATH + "/" + results.directory();
  }

  private boolean vllm() {
    return spec.engine != Engine.REFERENCE;
  }

  private boolean baseline() {
    return vllm() && Boolean.TRUE.equals(spec.baseline);
  }

  /** Benchmarks the eval runs: every dataset, and again without speculation for a baseline. */
  public int benchmarks() {
    int n = spec.datasets == null ? 0 : spec.datasets.size();
    return baseline() ? 2 * n : n;
  }

  /** The speculator as vLLM (or the reference engine) is given it. */
  private String speculatorArgument() {
    return speculator.hfId() != null ? speculator.hfId() : Volumes.SPECULATOR_PATH;
  }

  /** The {@code eval} command line. */
  public List<String> arguments() {
    GuideLlmSpec g = spec.guidellm == null ? new GuideLlmSpec() : spec.guidellm;
    SamplingSpec s = spec.sampling;
    List<String> a = new ArrayList<>();
    a.add(CONTAINER);
    if (!vllm()) {
      a.add("--engine");
      a.add("reference");
      a.add("--target-model");
      a.add(target.argument());
      a.add("--speculator");
      a.add(speculatorArgument());
      for (String d : spec.datasets) {
        a.add("--data");
        a.add(d);
      }
      a.add("--output");
      a.add(outputPath());
      a.add("--num-speculative-tokens");
      a.add(Integer.toString(spec.numSpeculativeTokens));
      if (g.maxRequests != null) {
        a.add("--max-requests");
        a.add(Integer.toString(g.maxRequests));
      }
      if (g.textColumn != null) {
        a.add("--text-column");
        a.add(g.textColumn);
      }
      // The floor a trained draft must beat, as `run -f` reports it: an untrained draft of the
      // same shape on the same prompts (status.results.untrainedMeanAcceptanceLength).
      a.add("--untrained-baseline");
      return a;
    }
    a.add("--endpoint");
    a.add("http://127.0.0.1:" + VllmServer.PORT);
    a.add("--model");
    a.add(target.argument());
    for (String d : spec.datasets) {
      a.add("--data");
      a.add(d);
    }
    a.add("--output");
    a.add(outputPath());
    a.add("--profile");
    a.add(
        (g.profile == null ? GuideLlmProfile.THROUGHPUT : g.profile)
            .name()
            .toLowerCase(Locale.ROOT));
    if (g.rate != null && !g.rate.isEmpty()) {
      a.add("--rate");
      a.add(g.rate.stream().map(VllmServer::number).collect(Collectors.joining(",")));
    }
    if (g.maxRequests != null) {
      a.add("--max-requests");
      a.add(Integer.toString(g.maxRequests));
    }
    if (g.maxSeconds != null) {
      a.add("--max-seconds");
      a.add(Integer.toString(g.maxSeconds));
    }
    if (g.textColumn != null) {
      a.add("--text-column");
      a.add(g.textColumn);
    }
    if (g.processor != null) {
      a.add("--processor");
      a.add(g.processor);
    }
    a.add("--temperature");
    a.add(VllmServer.number(s.temperature));
    a.add("--top-p");
    a.add(VllmServer.number(s.topP));
    a.add("--top-k");
    a.add(Integer.toString(s.topK));
    if (baseline()) {
      a.add("--baseline-endpoint");
      a.add("http://127.0.0.1:" + VllmServer.BASELINE_PORT);
    }
    return a;
  }

  /** The speculative-decoding config given to vLLM. */
  public String speculativeConfig() {
    return VllmServer.speculativeConfig(
        spec.method.name().toLowerCase(Locale.ROOT),
        speculatorArgument(),
        speculator.revision(),
        spec.numSpeculativeTokens,
        spec.vllm == null ? null : spec.vllm.maxModelLen);
  }

  /** The evaluation Job. */
  public Job job() {
    PodOverrides overrides = spec.podTemplate;
    List<Volume> volumes = new ArrayList<>();
    volumes.add(Volumes.claim(Volumes.RESULTS, results.claimName(), false));
    volumes.add(SharedVolumes.hfCache(settings));
    if (target.volume() != null) {
      volumes.add(target.volume());
    }
    VolumeMount speculatorMount = null;
    if (speculator.claimName() != null) {
      volumes.add(Volumes.claim(Volumes.SPECULATOR, speculator.claimName(), true));
      speculatorMount =
          Volumes.mount(Volumes.SPECULATOR, Volumes.SPECULATOR_PATH, speculator.directory(), true);
    }
    List<VolumeMount> workerMounts = new ArrayList<>();
    workerMounts.add(Volumes.mount(Volumes.RESULTS, Volumes.RESULTS_PATH, false));
    workerMounts.add(Volumes.mount(Volumes.HF_CACHE, Volumes.HF_CACHE_PATH, false));
    if (target.mount() != null) {
      workerMounts.add(target.mount());
    }

    List<Container> sidecars = new ArrayList<>();
    String image;
    long user;
    if (vllm()) {
      volumes.add(SharedVolumes.shm(settings));
      List<VolumeMount> vllmMounts = new ArrayList<>();
      vllmMounts.add(Volumes.mount(Volumes.SHM, Volumes.SHM_PATH, false));
      vllmMounts.add(Volumes.mount(Volumes.HF_CACHE, Volumes.HF_CACHE_PATH, false));
      if (target.mount() != null) {
        vllmMounts.add(target.mount());
      }
      List<VolumeMount> specMounts = new ArrayList<>(vllmMounts);
      if (speculatorMount != null) {
        specMounts.add(speculatorMount);
      }
      VllmSpec v = spec.vllm == null ? new VllmSpec() : spec.vllm;
      String vllmImage = v.image != null ? v.image : settings.vllmImage();
      String gpu = PodOverrides.gpuResourceName(overrides);
      long vllmUser = settings.evalUserId();
      volumes.addAll(VllmServer.scratchVolumes(VLLM_CONTAINER));
      sidecars.add(
          VllmServer.serving(
              VLLM_CONTAINER,
              VllmServer.PORT,
              new VllmServer.Common(
                  vllmImage, v, target, gpu, v.maxModelLen, specMounts, vllmUser, settings),
              speculativeConfig()));
      if (baseline()) {
        volumes.addAll(VllmServer.scratchVolumes(BASELINE_CONTAINER));
        sidecars.add(
            VllmServer.serving(
                BASELINE_CONTAINER,
                VllmServer.BASELINE_PORT,
                new VllmServer.Common(
                    vllmImage, v, target, gpu, v.maxModelLen, vllmMounts, vllmUser, settings),
                null));
      }
      image =
          spec.guidellm != null && spec.guidellm.image != null
              ? spec.guidellm.image
              : overrides != null && overrides.image != null
                  ? overrides.image
                  : settings.evalImage();
      user = settings.evalUserId();
    } else {
      if (speculatorMount != null) {
        workerMounts.add(speculatorMount);
      }
      image =
          overrides != null && overrides.image != null ? overrides.image : settings.workerImage();
      user = settings.workerUserId();
    }
    List<EnvVar> env = new ArrayList<>();
    env.add(SharedVolumes.hfHome());
    env.addAll(target.tokenEnv());
    Container worker =
        new ContainerBuilder()
            .withName(CONTAINER)
            .withImage(image)
            .withArgs(arguments())
            .withWorkingDir(Volumes.RESULTS_PATH)
            .withEnv(env)
            .withResources(vllm() ? ContainerResources.eval() : ContainerResources.reference())
            .withVolumeMounts(workerMounts)
            .withTerminationMessagePolicy("FallbackToLogsOnError")
            .withSecurityContext(PodSecurity.worker(user))
            .build();
    PodTemplateSpec template =
        new PodTemplateSpecBuilder()
            .withNewMetadata()
            .withLabels(Labels.of(eval, CONTAINER))
            .withAnnotations(Labels.annotations(eval))
            .endMetadata()
            .withNewSpec()
            .withInitContainers(sidecars)
            .withContainers(worker)
            .withVolumes(volumes)
            .withSecurityContext(PodSecurity.pod(settings.fsGroup()))
            .withTerminationGracePeriodSeconds(60L)
            .endSpec()
            .build();
    PodCustomizer.apply(overrides, template, CONTAINER);
    return WorkloadJobs.build(
        eval,
        new WorkloadJobs.Shape(
            jobName(eval),
            CONTAINER,
            CONTAINER,
            spec.queueName,
            0,
            settings.backoffLimit(),
            List.of()),
        template);
  }
}
