package dev.speculators.operator.pods;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.operator.kube.WorkloadSettings;
import dev.speculators.operator.testing.Resources;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DatagenWorkloadTest {
  private static final WorkloadSettings SETTINGS = WorkloadSettings.defaults();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  static HiddenStateDataset dataset(String spec) {
    return Resources.parse(
        """
        apiVersion: speculators.dev/v1alpha1
        kind: HiddenStateDataset
        metadata: {name: llama-sharegpt}
        spec:
        """
            + spec.indent(2),
        HiddenStateDataset.class,
        "team-a");
  }

  static DatagenWorkload workload(HiddenStateDataset ds) {
    return new DatagenWorkload(
        ds, StoragePlan.of(ds, ds.getSpec().storage, "hidden-states", "100Gi"), SETTINGS);
  }

  private static final String VLLM_SPEC =
      """
      targetModel:
        hfId: meta-llama/Llama-3.1-8B-Instruct
        revision: v2
        tokenSecretRef: {name: hf-token}
      datasets:
        - preset: sharegpt
          maxSamples: 100
          turnDropout: true
        - hf: org/data:train.jsonl
        - hf: org/other
          split: test
        - path: {claimName: raw, path: chats/a b.jsonl}
      layerIds: [2, 16, 29, 32]
      sequenceLength: 4096
      maxSamples: 5000
      shards: 4
      concurrency: 16
      seed: 7
      vllm:
        tensorParallelSize: 2
        gpuMemoryUtilization: 0.8
        extraArgs: [--enforce-eager]
        startupTimeoutSeconds: 600
      storage: {size: 500Gi}
      queueName: gpu-team
      podTemplate:
        gpuResourceName: amd.com/gpu
        nodeSelector: {gpu: h100}
        tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]
        priorityClassName: batch-high
        imagePullSecrets: [{name: regcred}]
        env: [{name: EXTRA, value: "1"}]
        labels: {team: a}
        annotations: {note: x}
      """;

  @Test
  void theIndexedJobRunsVllmAsANativeSidecarNextToDatagen() {
    HiddenStateDataset ds = dataset(VLLM_SPEC);
    Job job = workload(ds).job();

    assertThat(job.getMetadata().getName()).isEqualTo("llama-sharegpt-datagen");
    assertThat(job.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(r -> assertThat(r.getUid()).isEqualTo("uid-llama-sharegpt"));
    assertThat(job.getMetadata().getLabels())
        .containsEntry("kueue.x-k8s.io/queue-name", "gpu-team")
        .containsEntry("app.kubernetes.io/managed-by", "speculators-operator");
    assertThat(job.getSpec().getCompletionMode()).isEqualTo("Indexed");
    assertThat(job.getSpec().getCompletions()).isEqualTo(4);
    assertThat(job.getSpec().getParallelism()).isEqualTo(4);
    assertThat(job.getSpec().getBackoffLimitPerIndex()).isEqualTo(3);
    assertThat(job.getSpec().getBackoffLimit()).isEqualTo(12);
    var rules = job.getSpec().getPodFailurePolicy().getRules();
    assertThat(rules.get(0).getAction()).isEqualTo("Ignore");
    assertThat(rules.get(0).getOnPodConditions())
        .singleElement()
        .satisfies(c -> assertThat(c.getType()).isEqualTo("DisruptionTarget"));
    assertThat(rules.get(1).getAction()).isEqualTo("FailJob");
    assertThat(rules.get(1).getOnExitCodes().getContainerName()).isEqualTo("datagen");
    assertThat(rules.get(1).getOnExitCodes().getValues()).containsExactly(2);

    PodSpec pod = job.getSpec().getTemplate().getSpec();
    assertThat(pod.getRestartPolicy()).isEqualTo("Never");
    assertThat(pod.getNodeSelector()).containsEntry("gpu", "h100");
    assertThat(pod.getTolerations())
        .singleElement()
        .satisfies(t -> assertThat(t.getKey()).isEqualTo("nvidia.com/gpu"));
    assertThat(pod.getPriorityClassName()).isEqualTo("batch-high");
    assertThat(pod.getImagePullSecrets())
        .singleElement()
        .satisfies(s -> assertThat(s.getName()).isEqualTo("regcred"));
    assertThat(job.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("team", "a")
        .containsEntry("app.kubernetes.io/component", "datagen");
    assertThat(job.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("note", "x");
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(pod.getSecurityContext().getFsGroup()).isEqualTo(10001L);

    // the sidecar
    assertThat(pod.getInitContainers()).extracting(Container::getName).containsExactly("vllm");
    Container vllm = pod.getInitContainers().get(0);
    assertThat(vllm.getRestartPolicy()).isEqualTo("Always");
    assertThat(vllm.getImage()).isEqualTo(SETTINGS.vllmImage());
    assertThat(vllm.getCommand())
        .as("files vLLM creates are group-writable for the pod's other containers")
        .containsExactly("/bin/sh", "-c", "umask 002 && exec vllm serve \"$@\"");
    List<String> args = vllm.getArgs();
    assertThat(args.subList(0, 2)).containsExactly("vllm", "meta-llama/Llama-3.1-8B-Instruct");
    // restricted: vLLM runs as the worker's user, with its home and caches on its own emptyDirs
    assertThat(vllm.getSecurityContext().getRunAsUser()).isEqualTo(SETTINGS.workerUserId());
    assertThat(vllm.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(vllm.getWorkingDir()).isEqualTo("/home/vllm");
    assertThat(vllm.getEnv())
        .extracting(e -> e.getName() + "=" + e.getValue())
        .contains(
            "HOME=/home/vllm",
            "USER=vllm",
            "HF_HOME=/cache/huggingface",
            "VLLM_CACHE_ROOT=/home/vllm/.cache/vllm",
            "TRITON_CACHE_DIR=/home/vllm/.triton/cache",
            "TORCHINDUCTOR_CACHE_DIR=/home/vllm/.cache/torchinductor",
            "TMPDIR=/tmp");
    assertThat(vllm.getVolumeMounts())
        .extracting(m -> m.getName() + ":" + m.getMountPath())
        .contains("vllm-home:/home/vllm", "vllm-tmp:/tmp");
    assertThat(volume(pod, "vllm-home").getEmptyDir()).isNotNull();
    assertThat(volume(pod, "vllm-tmp").getEmptyDir()).isNotNull();
    // TP 2 of a model of unknown size: 2 + 2*2 CPUs, 16Gi weights + 3 x 4Gi, plus the 16Gi shm
    assertThat(vllm.getResources().getRequests())
        .containsEntry("cpu", new Quantity("6"))
        .containsEntry("memory", new Quantity("28Gi"))
        .containsEntry("amd.com/gpu", new Quantity("2"));
    assertThat(vllm.getResources().getLimits())
        .containsEntry("memory", new Quantity("44Gi"))
        .containsEntry("amd.com/gpu", new Quantity("2"));
    assertThat(flag(args, "--port")).isEqualTo("8000");
    assertThat(flag(args, "--revision")).isEqualTo("v2");
    assertThat(flag(args, "--tensor-parallel-size")).isEqualTo("2");
    assertThat(flag(args, "--gpu-memory-utilization")).isEqualTo("0.8");
    assertThat(args)
        .as(
            "the model's own context: /tokenize must render conversations longer than the"
                + " 4096-token samples, which datagen truncates itself")
        .doesNotContain("--max-model-len");
    assertThat(args).contains("--no-enable-chunked-prefill", "--enforce-eager");
    JsonNode spec = json(flag(args, "--speculative-config"));
    assertThat(spec.get("method").asText()).isEqualTo("extract_hidden_states");
    assertThat(spec.get("num_speculative_tokens").asInt()).isEqualTo(1);
    assertThat(spec.at("/draft_model_config/hf_config/eagle_aux_hidden_state_layer_ids").toString())
        .isEqualTo("[2,16,29,32]");
    JsonNode kv = json(flag(args, "--kv-transfer-config"));
    assertThat(kv.get("kv_connector").asText()).isEqualTo("ExampleHiddenStatesConnector");
    assertThat(kv.get("kv_role").asText()).isEqualTo("kv_producer");
    assertThat(kv.at("/kv_connector_extra_config/shared_storage_path").asText()).isEqualTo("/hs");
    assertThat(vllm.getResources().getLimits())
        .containsEntry("amd.com/gpu", new Quantity("2"))
        .doesNotContainKey("nvidia.com/gpu");
    assertThat(vllm.getResources().getRequests()).containsEntry("amd.com/gpu", new Quantity("2"));
    assertThat(vllm.getStartupProbe().getHttpGet().getPath()).isEqualTo("/health");
    assertThat(vllm.getStartupProbe().getHttpGet().getPort().getIntVal()).isEqualTo(8000);
    assertThat(
            vllm.getStartupProbe().getPeriodSeconds()
                * vllm.getStartupProbe().getFailureThreshold())
        .isEqualTo(600);
    assertThat(vllm.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(vllm.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(vllm.getSecurityContext().getRunAsNonRoot())
        .as("vLLM runs as the pod's user, not as its image's root")
        .isTrue();
    assertThat(mountPaths(vllm)).contains("/dev/shm", "/hs", "/cache/huggingface");
    assertSecretToken(vllm);

    // the worker
    Container datagen = pod.getContainers().get(0);
    assertThat(pod.getContainers()).hasSize(1);
    assertThat(datagen.getName()).isEqualTo("datagen");
    assertThat(datagen.getImage()).isEqualTo(SETTINGS.workerImage());
    assertThat(datagen.getArgs())
        .containsExactly(
            "datagen", "@/etc/speculators/datagen.args", "--shard", "$(JOB_COMPLETION_INDEX)/4");
    assertThat(datagen.getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("JOB_COMPLETION_INDEX");
              assertThat(e.getValueFrom().getFieldRef().getFieldPath())
                  .isEqualTo("metadata.annotations['batch.kubernetes.io/job-completion-index']");
            });
    assertThat(datagen.getEnv()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("EXTRA"));
    assertSecretToken(datagen);
    assertThat(
            datagen.getResources() == null
                || datagen.getResources().getLimits() == null
                || !datagen.getResources().getLimits().containsKey("amd.com/gpu"))
        .as("no GPU for the client")
        .isTrue();
    assertThat(datagen.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
    assertThat(datagen.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(datagen.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
    assertThat(datagen.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(datagen.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(datagen.getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getMountPath()).isEqualTo("/data");
              assertThat(m.getReadOnly()).isNotEqualTo(Boolean.TRUE);
            });
    assertThat(mountPaths(datagen))
        .contains("/etc/speculators", "/hs", "/cache/huggingface", "/inputs/raw");

    // volumes
    assertThat(pod.getVolumes())
        .extracting(Volume::getName)
        .containsExactlyInAnyOrder(
            "data",
            "work",
            "hf-cache",
            "hidden-states",
            "dshm",
            "input-0",
            "vllm-home",
            "vllm-tmp");
    Volume shm = volume(pod, "dshm");
    assertThat(shm.getEmptyDir().getMedium()).isEqualTo("Memory");
    assertThat(volume(pod, "data").getPersistentVolumeClaim().getClaimName())
        .isEqualTo("llama-sharegpt-hidden-states");
    assertThat(volume(pod, "input-0").getPersistentVolumeClaim().getClaimName()).isEqualTo("raw");
    assertThat(volume(pod, "input-0").getPersistentVolumeClaim().getReadOnly()).isTrue();
    assertThat(volume(pod, "hidden-states").getEmptyDir()).isNotNull();
  }

  @Test
  void theConfigMapCarriesTheResolvedArgumentsAsAPicocliArgsFile() throws IOException {
    HiddenStateDataset ds = dataset(VLLM_SPEC);
    var cm = workload(ds).configMap();
    assertThat(cm.getMetadata().getName()).isEqualTo("llama-sharegpt-datagen");
    assertThat(cm.getMetadata().getOwnerReferences()).hasSize(1);
    Path file = tmp.resolve("datagen.args");
    Files.writeString(file, cm.getData().get("datagen.args"));
    List<String> expanded = expand(file);
    assertThat(expanded)
        .containsExactly(
            "--endpoint", "http://127.0.0.1:8000",
            "--model", "meta-llama/Llama-3.1-8B-Instruct",
            "--model-revision", "v2",
            "--data", "sharegpt,maxSamples=100,turnDropout=true",
            "--data", "org/data:train.jsonl",
            "--data", "org/other,split=test",
            "--data", "/inputs/raw/chats/a b.jsonl",
            "--output", "/data/llama-sharegpt",
            "--seq-length", "4096",
            "--max-samples", "5000",
            "--layer-ids", "2,16,29,32",
            "--concurrency", "16",
            "--seed", "7",
            "--engine", "vllm",
            "--volume-name", "/data=pvc:llama-sharegpt-hidden-states",
            "--volume-name", "/inputs/raw=pvc:raw",
            "--hidden-states-dir", "/hs",
            "--tensor-parallel-size", "2");
    JsonNode work = json(cm.getData().get("work.json"));
    assertThat(work.get("shards").asInt()).isEqualTo(4);
    assertThat(work.get("claimName").asText()).isEqualTo("llama-sharegpt-hidden-states");
    assertThat(work.at("/vllm/maxModelLen").asText()).isEqualTo("the model's own");

    // a context the user sets is served as given
    HiddenStateDataset capped =
        dataset(
            VLLM_SPEC.replace(
                "tensorParallelSize: 2", "tensorParallelSize: 2\n  maxModelLen: 32768"));
    Container vllm =
        workload(capped).job().getSpec().getTemplate().getSpec().getInitContainers().get(0);
    assertThat(flag(vllm.getArgs(), "--max-model-len")).isEqualTo("32768");
  }

  @Test
  void withoutLayerIdsAnInitContainerResolvesThemFromTheModelConfigBeforeVllmStarts() {
    HiddenStateDataset ds =
        dataset(
            """
        targetModel: {pvc: {claimName: models, subPath: org/llama}}
        datasets: [{preset: ultrachat}]
        """);
    Job job = workload(ds).job();
    PodSpec pod = job.getSpec().getTemplate().getSpec();
    assertThat(pod.getInitContainers())
        .extracting(Container::getName)
        .containsExactly("layer-ids", "vllm");
    Container resolver = pod.getInitContainers().get(0);
    assertThat(resolver.getRestartPolicy()).as("runs to completion before the sidecar").isNull();
    assertThat(resolver.getArgs())
        .containsExactly(
            "layer-ids",
            "--model",
            "/models/target",
            "--speculative-config",
            "/run/speculators/speculative-config.json");
    assertThat(mountPaths(resolver)).contains("/run/speculators", "/models/target");
    Container vllm = pod.getInitContainers().get(1);
    assertThat(vllm.getCommand())
        .containsExactly(
            "/bin/sh",
            "-c",
            "umask 002 && exec vllm serve \"$@\" --speculative-config \"$(cat /run/speculators/speculative-config.json)\"");
    assertThat(vllm.getArgs().subList(0, 2)).containsExactly("vllm", "/models/target");
    assertThat(vllm.getArgs()).doesNotContain("--speculative-config");
    assertThat(vllm.getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getMountPath()).isEqualTo("/models/target");
              assertThat(m.getSubPath()).isEqualTo("org/llama");
              assertThat(m.getReadOnly()).isTrue();
            });
    assertThat(volume(pod, "target-model").getPersistentVolumeClaim().getClaimName())
        .isEqualTo("models");
    assertThat(workload(ds).arguments()).doesNotContain("--layer-ids");
    assertThat(pod.getContainers().get(0).getEnv())
        .extracting(EnvVar::getName)
        .doesNotContain("HF_TOKEN");
  }

  @Test
  void theReferenceEngineRunsDatagenAloneOnTheCpu() {
    HiddenStateDataset ds =
        dataset(
            """
        targetModel: {path: /models/tiny}
        engine: reference
        datasets: [{path: {path: chats.jsonl}}]
        storage: {claimName: work, subPath: runs/tiny}
        """);
    Job job = workload(ds).job();
    PodSpec pod = job.getSpec().getTemplate().getSpec();
    assertThat(pod.getInitContainers()).isEmpty();
    assertThat(pod.getVolumes())
        .extracting(Volume::getName)
        .doesNotContain("dshm", "hidden-states");
    var res = pod.getContainers().get(0).getResources();
    assertThat(res == null || res.getLimits() == null || res.getLimits().isEmpty()).isTrue();
    assertThat(workload(ds).arguments())
        .containsSequence("--engine", "reference")
        .containsSequence("--data", "/data/chats.jsonl")
        .containsSequence("--output", "/data/runs/tiny")
        .doesNotContain("--endpoint", "--hidden-states-dir");
    assertThat(volume(pod, "data").getPersistentVolumeClaim().getClaimName()).isEqualTo("work");
  }

  private static void assertSecretToken(Container c) {
    assertThat(c.getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("HF_TOKEN");
              assertThat(e.getValue()).isNull();
              assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("hf-token");
              assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("token");
            });
  }

  static List<String> expand(Path argsFile) {
    List<String> out = new ArrayList<>();
    @CommandLine.Command(name = "x")
    class Echo implements Runnable {
      @CommandLine.Parameters List<String> p = new ArrayList<>();

      @Override
      public void run() {}
    }
    Echo e = new Echo();
    new CommandLine(e).setUnmatchedOptionsArePositionalParams(true).parseArgs("@" + argsFile);
    out.addAll(e.p);
    return out;
  }

  static String flag(List<String> args, String flag) {
    int i = args.indexOf(flag);
    assertThat(i).as("flag %s in %s", flag, args).isGreaterThanOrEqualTo(0);
    return args.get(i + 1);
  }

  static JsonNode json(String s) {
    try {
      return JSON.readTree(s);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  static List<String> mountPaths(Container c) {
    return c.getVolumeMounts().stream().map(VolumeMount::getMountPath).toList();
  }

  static Volume volume(PodSpec pod, String name) {
    return pod.getVolumes().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }
}
