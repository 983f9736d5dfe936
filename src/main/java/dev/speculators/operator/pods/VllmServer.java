package dev.speculators.operator.pods;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.api.common.VllmSpec;
import dev.speculators.operator.kube.WorkloadSettings;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The vLLM server as a native sidecar: an init container with {@code restartPolicy: Always}, so it
 * starts before the worker, keeps running beside it, and does not keep the pod alive after the
 * worker finished. Its startup probe on {@code /health} holds the worker back until the model is
 * loaded; the worker reaches it on {@code 127.0.0.1}. It runs as the pod's worker user with its
 * home, caches and {@code /tmp} on emptyDirs of its own, and requests the CPU and memory of {@link
 * ContainerResources#vllm}.
 */
public final class VllmServer {
  /**
   * The oldest vLLM release the operator's pods are known to work with. Its hidden-states connector
   * ({@code ExampleHiddenStatesConnector}) writes each sample from tensor-parallel rank 0 only
   * ({@code get_finished_count() == 1}; vLLM PR 43805, which also moved the save out of the forward
   * pass so chunked prefill works), where v0.22 wrote the same file from every rank one after
   * another under the file lock: TP× the disk writes and a forward pass blocked on the lock.
   */
  public static final String MINIMUM_VERSION = "0.28.0";

  /** Port of the server (the speculative one in an eval pod). */
  public static final int PORT = 8000;

  /** Port of the baseline server (no speculation) in an eval pod. */
  public static final int BASELINE_PORT = 8001;

  /** Where the pod's start writes the resolved extraction config (see {@link #extraction}). */
  public static final String RESOLVED_SPECULATIVE_CONFIG =
      Volumes.RUNTIME_PATH + "/speculative-config.json";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int PROBE_PERIOD_SECONDS = 10;

  private VllmServer() {}

  /** The home directory of vLLM containers, an emptyDir: every cache vLLM keeps lives under it. */
  public static final String HOME = "/home/vllm";

  /**
   * Where vLLM and the libraries it loads write, each pointed into the container's own emptyDirs
   * (read from the vLLM image and source: the image runs as root with {@code HOME=/root}, and
   * everything below defaults to {@code $HOME/.cache}, {@code $HOME/.config} or the temporary
   * directory). {@code USER} keeps {@code getpass.getuser()} (torch's inductor cache) from looking
   * up a uid that has no passwd entry.
   */
  static final List<String[]> SCRATCH_ENV =
      List.of(
          new String[] {"HOME", HOME},
          new String[] {"USER", "vllm"},
          new String[] {"LOGNAME", "vllm"},
          new String[] {"XDG_CACHE_HOME", HOME + "/.cache"},
          new String[] {"XDG_CONFIG_HOME", HOME + "/.config"},
          new String[] {"VLLM_CACHE_ROOT", HOME + "/.cache/vllm"},
          new String[] {"VLLM_CONFIG_ROOT", HOME + "/.config/vllm"},
          new String[] {"TRITON_CACHE_DIR", HOME + "/.triton/cache"},
          new String[] {"TORCHINDUCTOR_CACHE_DIR", HOME + "/.cache/torchinductor"},
          new String[] {"CUDA_CACHE_PATH", HOME + "/.nv/ComputeCache"},
          new String[] {"TMPDIR", Volumes.TMP_PATH});

  /**
   * What every vLLM container in a pod shares.
   *
   * @param image the vLLM image
   * @param spec the resource's vLLM settings (may be empty)
   * @param model the target model
   * @param gpuResource the GPU extended resource name
   * @param maxModelLen the context length to serve (null: the model's own)
   * @param mounts volume mounts (shm, cache, model, ...)
   * @param userId the pod's worker user, which vLLM runs as (it shares the pod's volumes)
   * @param settings the operator's settings (shm size, vLLM as root)
   */
  public record Common(
      String image,
      VllmSpec spec,
      ModelMount model,
      String gpuResource,
      Integer maxModelLen,
      List<VolumeMount> mounts,
      long userId,
      WorkloadSettings settings) {}

  /** The emptyDirs of a vLLM container: its home (caches) and its {@code /tmp}. */
  public static List<Volume> scratchVolumes(String container) {
    return List.of(
        Volumes.emptyDir(container + HOME_SUFFIX), Volumes.emptyDir(container + TMP_SUFFIX));
  }

  private static final String HOME_SUFFIX = "-home";
  private static final String TMP_SUFFIX = "-tmp";

  /**
   * The shell that starts vLLM: files it creates (the Hugging Face cache, the hidden states) are
   * group-writable, so every container of the pod's fsGroup can write beside them.
   */
  private static final String UMASK = "umask 002 && ";

  /** The {@code extract_hidden_states} speculative config for the captured layer ids. */
  public static String extractionConfig(List<Integer> layerIds) {
    ObjectNode c = JSON.createObjectNode();
    c.put("method", "extract_hidden_states");
    c.put("num_speculative_tokens", 1);
    ArrayNode ids =
        c.putObject("draft_model_config")
            .putObject("hf_config")
            .putArray("eagle_aux_hidden_state_layer_ids");
    layerIds.forEach(ids::add);
    return c.toString();
  }

  /** The KV connector that writes hidden states to {@value Volumes#HIDDEN_STATES_PATH}. */
  public static String hiddenStatesConnectorConfig() {
    ObjectNode c = JSON.createObjectNode();
    c.put("kv_connector", "ExampleHiddenStatesConnector");
    c.put("kv_role", "kv_producer");
    c.putObject("kv_connector_extra_config").put("shared_storage_path", Volumes.HIDDEN_STATES_PATH);
    return c.toString();
  }

  /**
   * The speculative-decoding config of an eval: {@code method}, the draft {@code model}, {@code
   * num_speculative_tokens} and, when known, {@code max_model_len} and the draft's revision.
   */
  public static String speculativeConfig(
      String method,
      String draftModel,
      String draftRevision,
      int numSpeculativeTokens,
      Integer maxModelLen) {
    ObjectNode c = JSON.createObjectNode();
    c.put("method", method);
    c.put("model", draftModel);
    c.put("num_speculative_tokens", numSpeculativeTokens);
    if (maxModelLen != null) {
      c.put("max_model_len", maxModelLen);
    }
    if (draftRevision != null) {
      c.put("revision", draftRevision);
    }
    return c.toString();
  }

  /**
   * The hidden-state extraction server of a datagen pod. With {@code layerIds} the speculative
   * config is in the arguments; without, it is read from {@link #RESOLVED_SPECULATIVE_CONFIG},
   * which an init container wrote from the model's config before the server starts.
   */
  public static Container extraction(Common common, List<Integer> layerIds) {
    List<String> args = baseArgs(common, PORT);
    args.add("--no-enable-chunked-prefill");
    args.add("--kv-transfer-config");
    args.add(hiddenStatesConnectorConfig());
    ContainerBuilder c = container("vllm", common, PORT);
    if (layerIds != null) {
      args.add("--speculative-config");
      args.add(extractionConfig(layerIds));
      addExtraArgs(args, common.spec());
      c.withCommand("/bin/sh", "-c", UMASK + "exec vllm serve \"$@\"")
          .withArgs(prepend("vllm", args));
    } else {
      addExtraArgs(args, common.spec());
      // The shell only splices in the file's content; vLLM then replaces it (exec).
      c.withCommand(
              "/bin/sh",
              "-c",
              UMASK
                  + "exec vllm serve \"$@\" --speculative-config \"$(cat "
                  + RESOLVED_SPECULATIVE_CONFIG
                  + ")\"")
          .withArgs(prepend("vllm", args));
    }
    return c.build();
  }

  /**
   * A serving container of an eval pod: with {@code speculativeConfig} the speculator under test,
   * without it (null) the baseline.
   */
  public static Container serving(String name, int port, Common common, String speculativeConfig) {
    List<String> args = baseArgs(common, port);
    args.add("--seed");
    args.add("42");
    if (speculativeConfig != null) {
      args.add("--speculative-config");
      args.add(speculativeConfig);
    }
    addExtraArgs(args, common.spec());
    return container(name, common, port)
        .withCommand("/bin/sh", "-c", UMASK + "exec vllm serve \"$@\"")
        .withArgs(prepend("vllm", args))
        .build();
  }

  private static List<String> baseArgs(Common common, int port) {
    VllmSpec spec = common.spec() == null ? new VllmSpec() : common.spec();
    List<String> args = new ArrayList<>();
    args.add(common.model().argument());
    args.add("--port");
    args.add(Integer.toString(port));
    if (common.model().revision() != null) {
      args.add("--revision");
      args.add(common.model().revision());
    }
    args.add("--tensor-parallel-size");
    args.add(Integer.toString(spec.resolvedTensorParallelSize()));
    args.add("--gpu-memory-utilization");
    args.add(number(spec.resolvedGpuMemoryUtilization()));
    if (common.maxModelLen() != null) {
      args.add("--max-model-len");
      args.add(Integer.toString(common.maxModelLen()));
    }
    return args;
  }

  private static void addExtraArgs(List<String> args, VllmSpec spec) {
    if (spec != null && spec.extraArgs != null) {
      args.addAll(spec.extraArgs);
    }
  }

  private static ContainerBuilder container(String name, Common common, int port) {
    VllmSpec spec = common.spec() == null ? new VllmSpec() : common.spec();
    Quantity gpus = new Quantity(Integer.toString(spec.resolvedTensorParallelSize()));
    int failures =
        Math.max(
            1,
            (spec.resolvedStartupTimeoutSeconds() + PROBE_PERIOD_SECONDS - 1)
                / PROBE_PERIOD_SECONDS);
    List<EnvVar> env = new ArrayList<>();
    env.add(new EnvVarBuilder().withName("HF_HOME").withValue(Volumes.HF_CACHE_PATH).build());
    for (String[] e : SCRATCH_ENV) {
      env.add(new EnvVarBuilder().withName(e[0]).withValue(e[1]).build());
    }
    env.addAll(common.model().tokenEnv());
    if (spec.env != null) {
      for (EnvVar e : spec.env) {
        env.removeIf(existing -> existing.getName().equals(e.getName()));
        env.add(e);
      }
    }
    List<VolumeMount> mounts = new ArrayList<>(common.mounts());
    mounts.add(Volumes.mount(name + HOME_SUFFIX, HOME, false));
    mounts.add(Volumes.mount(name + TMP_SUFFIX, Volumes.TMP_PATH, false));
    ResourceRequirements resources =
        new ResourceRequirementsBuilder(
                ContainerResources.vllm(
                    common.model().sizeBytes(),
                    spec.resolvedTensorParallelSize(),
                    new Quantity(common.settings().shmSizeLimit())))
            .addToRequests(common.gpuResource(), gpus)
            .addToLimits(common.gpuResource(), gpus)
            .build();
    return new ContainerBuilder()
        .withName(name)
        .withImage(spec.image != null ? spec.image : common.image())
        .withRestartPolicy("Always")
        .withWorkingDir(HOME)
        .addNewPort()
        .withName(name.length() <= 15 ? name : "http-" + port)
        .withContainerPort(port)
        .withProtocol("TCP")
        .endPort()
        .withEnv(env)
        .withResources(resources)
        .withVolumeMounts(mounts)
        .withNewStartupProbe()
        .withNewHttpGet()
        .withPath("/health")
        .withPort(new IntOrString(port))
        .endHttpGet()
        .withPeriodSeconds(PROBE_PERIOD_SECONDS)
        .withTimeoutSeconds(5)
        .withFailureThreshold(failures)
        .endStartupProbe()
        .withNewLivenessProbe()
        .withNewHttpGet()
        .withPath("/health")
        .withPort(new IntOrString(port))
        .endHttpGet()
        .withPeriodSeconds(30)
        .withTimeoutSeconds(10)
        .withFailureThreshold(5)
        .endLivenessProbe()
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .withSecurityContext(PodSecurity.vllm(common.userId(), common.settings().vllmRunAsRoot()));
  }

  private static List<String> prepend(String first, List<String> rest) {
    List<String> out = new ArrayList<>();
    out.add(first);
    out.addAll(rest);
    return out;
  }

  /** A number as vLLM's argument parser reads it, without a trailing {@code .0} noise. */
  static String number(double value) {
    String s = String.format(Locale.ROOT, "%s", value);
    return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
  }
}
