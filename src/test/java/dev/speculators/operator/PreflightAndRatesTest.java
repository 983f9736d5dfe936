package dev.speculators.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.api.DatasetPhase;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.api.SpeculatorTraining;
import dev.speculators.api.TrainingPhase;
import dev.speculators.io.StorageCheck;
import dev.speculators.operator.kube.WorkloadSettings;
import dev.speculators.operator.preflight.ModelConfigs;
import dev.speculators.operator.testing.Cluster;
import dev.speculators.operator.testing.Resources;
import dev.speculators.operator.testing.Summaries;
import dev.speculators.operator.testing.TestOperator;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The storage pre-flight, rates and ETA, and GPU-seconds under the real controllers on the mock API
 * server: a dataset asking for too little storage is refused before any Job when the operator knows
 * the sample length, is checked in its pods before vLLM otherwise (and refused there); live
 * progress lines become rates, an elapsed time and an ETA, and the pods' GPU time becomes {@code
 * status.usage}.
 */
@EnableKubernetesMockClient(crud = true)
class PreflightAndRatesTest {
  static KubernetesMockServer server;
  static KubernetesClient client;
  static TestOperator operator;
  static Path models;

  private static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() throws IOException {
    TestOperator.installCrds(client);
    // a target model whose config the operator can read: on a claim mounted into its pod
    models = Files.createTempDirectory("models");
    Path llama = Files.createDirectories(models.resolve("llama"));
    Files.writeString(
        llama.resolve("config.json"),
        """
        {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 4096,
         "num_hidden_layers": 32, "intermediate_size": 14336, "num_attention_heads": 32,
         "num_key_value_heads": 8, "vocab_size": 128256}
        """);
    // a speculator there too, trained for 4096 positions (speculators format) and an older
    // EAGLE checkpoint with the length at the top level
    Path draft = Files.createDirectories(models.resolve("drafts/short"));
    Files.writeString(
        draft.resolve("config.json"),
        """
        {"speculators_model_type": "eagle3", "architectures": ["Eagle3Speculator"],
         "transformer_layer_config": {"model_type": "llama", "max_position_embeddings": 4096}}
        """);
    Path legacy = Files.createDirectories(models.resolve("drafts/legacy"));
    Files.writeString(
        legacy.resolve("config.json"),
        """
        {"architectures": ["LlamaForCausalLMEagle3"], "max_position_embeddings": 2048}
        """);
    operator =
        TestOperator.start(
            client,
            WorkloadSettings.defaults().withProgressLogInterval(Duration.ofMillis(200)),
            new ModelConfigs(Map.of("pvc:models", models), null));
  }

  @AfterAll
  static void stop() {
    operator.close();
  }

  private static String dataset(String name, String extra) {
    return """
        apiVersion: speculators.dev/v1alpha1
        kind: HiddenStateDataset
        metadata: {name: %s}
        spec:
          targetModel: {pvc: {claimName: models, subPath: llama}}
          datasets: [{preset: sharegpt}]
          layerIds: [2, 16, 29, 32]
          sequenceLength: 4096
        %s
        """
        .formatted(name, extra);
  }

  private static String summary(int shard, int shards, long samples, long tokens) {
    try {
      ObjectNode s =
          (ObjectNode)
              JSON.readTree(Summaries.datagen(shard, shards, samples, tokens, 1_000_000, true));
      s.put("hiddenSize", 4096);
      s.putArray("layerIds").add(2).add(16).add(29).add(32);
      return s.toString();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aMeasuredEstimateThatDoesNotFitIsRefusedBeforeAnyJob() {
    Cluster c = new Cluster(client, "pre-refuse");
    // a finished dataset over the same conversations tells the mean sample length: 1000 tokens
    Resources.create(
        client,
        dataset("small", "  maxSamples: 200\n  storage: {size: 100Gi}"),
        HiddenStateDataset.class,
        c.namespace);
    Job job = c.sim.awaitJob(c.namespace, "small-datagen");
    c.sim.runToSuccess(job, "datagen", i -> summary(i, 1, 200, 200_000));
    c.await(
        HiddenStateDataset.class,
        "small",
        d -> d.getStatus() != null && d.getStatus().phase == DatasetPhase.SUCCEEDED);

    Resources.create(
        client,
        dataset("big", "  maxSamples: 20000\n  seed: 3\n  storage: {size: 100Gi}"),
        HiddenStateDataset.class,
        c.namespace);
    HiddenStateDataset big = c.awaitReason(HiddenStateDataset.class, "big", "StorageTooSmall");
    assertThat(big.getStatus().phase).isEqualTo(DatasetPhase.FAILED);
    // 20000 × 1000 × (4 × 4096 × 2 + 16) bytes: 610 GiB against 100 GiB
    assertThat(big.getStatus().message)
        .startsWith("the dataset needs about 610.7 GiB")
        .contains("20000 samples × mean 1000 tokens × 4 layers × hidden size 4096 in bf16")
        .contains("the mean from HiddenStateDataset small")
        .contains("storage.size 100Gi holds only 100.0 GiB")
        .contains("ask for at least 733Gi");
    assertThat(big.getStatus().storage.verdict).isEqualTo("TooSmall");
    assertThat(big.getStatus().storage.checkedBy).isEqualTo("operator");
    assertThat(big.getStatus().storage.suggestedSize).isEqualTo("733Gi");
    assertThat(c.awaitEvent("big", "StorageTooSmall").getType()).isEqualTo("Warning");
    assertThat(c.sim.job(c.namespace, "big-datagen")).isNull();
    assertThat(
            client
                .persistentVolumeClaims()
                .inNamespace(c.namespace)
                .withName("big-hidden-states")
                .get())
        .isNull();
    assertThat(client.configMaps().inNamespace(c.namespace).withName("big-datagen").get()).isNull();
  }

  @Test
  void anEstimateAtTheCapWarnsAndThePodRefusesBeforeVllmStarts() {
    Cluster c = new Cluster(client, "pre-pod");
    Resources.create(
        client,
        dataset("capped", "  maxSamples: 1000\n  storage: {size: 10Gi}"),
        HiddenStateDataset.class,
        c.namespace);
    Job job = c.sim.awaitJob(c.namespace, "capped-datagen");
    HiddenStateDataset pending =
        c.await(
            HiddenStateDataset.class,
            "capped",
            d -> d.getStatus() != null && d.getStatus().storage != null);
    assertThat(pending.getStatus().storage.verdict).isEqualTo("TooSmallAtCap");
    assertThat(c.awaitEvent("capped", "StorageMayBeTooSmall").getMessage())
        .contains("needs at most about 125.")
        .contains("1000 samples × at most 4096 tokens");
    List<Container> init = job.getSpec().getTemplate().getSpec().getInitContainers();
    assertThat(init).extracting(Container::getName).containsExactly("preflight", "vllm");
    assertThat(init.get(0).getArgs())
        .containsExactly(
            "datagen",
            "@/etc/speculators/datagen.args",
            "--shard",
            "$(JOB_COMPLETION_INDEX)/1",
            "--preflight");
    assertThat(job.getSpec().getPodFailurePolicy().getRules())
        .anySatisfy(
            r -> {
              assertThat(r.getAction()).isEqualTo("FailJob");
              assertThat(r.getOnExitCodes().getContainerName()).isEqualTo("preflight");
              assertThat(r.getOnExitCodes().getValues()).containsExactly(StorageCheck.EXIT_CODE);
            });
    String args =
        client
            .configMaps()
            .inNamespace(c.namespace)
            .withName("capped-datagen")
            .get()
            .getData()
            .get("datagen.args");
    assertThat(args).contains("--volume-name").contains("/models/target=pvc:models/llama");

    // the pre-flight container measured the rows and found the volume too small: exit 3
    StorageCheck measured =
        new StorageCheck(
            "the dataset",
            31_000_000_000L,
            10_737_418_240L,
            false,
            "1000 samples × mean 946 tokens × 4 layers × hidden size 4096 in bf16",
            "its volume (free space plus the 0 B already written)");
    ObjectNode refusal = JSON.createObjectNode();
    refusal.put("kind", "datagen");
    refusal.put("error", measured.message());
    refusal.set("storage", measured.toJson());
    Pod pod = c.sim.createPod(job, 0);
    c.sim.editPod(
        pod,
        p -> {
          p.getStatus().setPhase("Failed");
          p.getStatus()
              .setInitContainerStatuses(
                  List.of(terminated("preflight", StorageCheck.EXIT_CODE, refusal.toString())));
          return p;
        });
    c.sim.failJob(job, "PodFailurePolicy", "Container preflight for pod exited with 3");
    HiddenStateDataset refused =
        c.awaitReason(HiddenStateDataset.class, "capped", "StorageTooSmall");
    assertThat(refused.getStatus().phase).isEqualTo(DatasetPhase.FAILED);
    assertThat(refused.getStatus().message)
        .contains("the dataset needs about 28.9 GiB")
        .contains("ask for at least 35Gi");
    assertThat(refused.getStatus().storage.checkedBy).isEqualTo("pod");
    assertThat(refused.getStatus().storage.verdict).isEqualTo("TooSmall");
  }

  @Test
  void anEstimateThatFitsAClaimTheOperatorCreatesNeedsNoPodCheck() {
    Cluster c = new Cluster(client, "pre-fits");
    Resources.create(
        client,
        dataset("roomy", "  maxSamples: 100\n  storage: {size: 100Gi}"),
        HiddenStateDataset.class,
        c.namespace);
    Job job = c.sim.awaitJob(c.namespace, "roomy-datagen");
    assertThat(job.getSpec().getTemplate().getSpec().getInitContainers())
        .extracting(Container::getName)
        .containsExactly("vllm");
    HiddenStateDataset ds =
        c.await(
            HiddenStateDataset.class,
            "roomy",
            d -> d.getStatus() != null && d.getStatus().storage != null);
    assertThat(ds.getStatus().storage.verdict).isEqualTo("Fits");
    assertThat(ds.getStatus().storage.estimatedBytes).isBetween(13_000_000_000L, 14_000_000_000L);
  }

  private static ContainerStatus terminated(String name, int exitCode, String message) {
    return new ContainerStatusBuilder()
        .withName(name)
        .withReady(false)
        .withRestartCount(0)
        .withState(
            new ContainerStateBuilder()
                .withNewTerminated()
                .withExitCode(exitCode)
                .withReason("Error")
                .withMessage(message)
                .withStartedAt(Instant.now().minusSeconds(60).toString())
                .withFinishedAt(Instant.now().toString())
                .endTerminated()
                .build())
        .build();
  }

  @Test
  void progressLinesBecomeRatesAndAnEtaAndPodsGpuSeconds() {
    Cluster c = new Cluster(client, "rates");
    Resources.create(
        client,
        dataset("live", "  maxSamples: 100\n  shards: 2\n  storage: {size: 100Gi}"),
        HiddenStateDataset.class,
        c.namespace);
    Job job = c.sim.awaitJob(c.namespace, "live-datagen");
    List<Pod> pods = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Pod pod = c.sim.createPod(job, i);
      logs(
          c,
          pod,
          "datagen",
          String.format(
              "PROGRESS {\"kind\":\"datagen\",\"rows\":%d,\"totalRows\":50,\"samples\":%d,"
                  + "\"tokens\":%d,\"elapsedSeconds\":600,\"samplesPerSecond\":%s,"
                  + "\"tokensPerSecond\":%s,\"etaSeconds\":%d}",
              20 + i * 10,
              20 + i * 10,
              20_000 + i * 10_000,
              i == 0 ? "0.0333" : "0.05",
              i == 0 ? "33.3" : "50.0",
              i == 0 ? 900 : 400));
      c.sim.running(pod);
      // the pod holds its GPU since an hour ago
      pods.add(
          c.sim.editPod(
              pod,
              p -> {
                p.getStatus().setStartTime(Instant.now().minusSeconds(3600).toString());
                return p;
              }));
    }
    Instant before = Instant.now();
    HiddenStateDataset live =
        c.await(
            HiddenStateDataset.class,
            "live",
            d ->
                d.getStatus() != null
                    && d.getStatus().progress.samplesPerSecond != null
                    && d.getStatus().progress.samplesPerSecond > 0.08);
    assertThat(live.getStatus().progress.rate).isEqualTo("0.0833 samples/s, 83.3 tokens/s");
    assertThat(live.getStatus().progress.samplesPerSecond).isEqualTo(0.0833);
    assertThat(live.getStatus().progress.tokensPerSecond).isEqualTo(83.3);
    assertThat(live.getStatus().progress.elapsedSeconds).isEqualTo(600);
    // the slower shard finishes in 15 minutes: the ETA is that, rounded up to the minute
    Instant eta = Instant.parse(live.getStatus().progress.eta);
    assertThat(eta).isBetween(before.plusSeconds(900), Instant.now().plusSeconds(900 + 60));
    assertThat(live.getStatus().progress.summary).contains("(running: 50/100 rows)");
    // two pods × one GPU × an hour
    HiddenStateDataset used =
        c.await(
            HiddenStateDataset.class,
            "live",
            d -> d.getStatus().usage != null && d.getStatus().usage.gpuSeconds >= 7200);
    assertThat(used.getStatus().usage.phases).containsOnlyKeys("Generating");
    assertThat(used.getStatus().usage.gpuSeconds).isLessThan(7200 + 120);

    // the ETA column
    assertThat(Path.of("crds/hiddenstatedatasets.speculators.dev-v1.yml"))
        .content()
        .contains("- jsonPath: \".status.progress.eta\"\n      name: \"ETA\"");
  }

  @Test
  void aTrainingIsRefusedWithoutRoomForItsCheckpointsAndReportsRatesEtaAndGpuSeconds() {
    Cluster c = new Cluster(client, "rates-train");
    Resources.create(
        client,
        """
        apiVersion: speculators.dev/v1alpha1
        kind: SpeculatorTraining
        metadata: {name: tr}
        spec:
          dataset:
            template:
              targetModel: {pvc: {claimName: models, subPath: llama}}
              datasets: [{preset: sharegpt}]
              maxSamples: 100
              storage: {size: 100Gi}
          training: {epochs: 3}
          storage: {size: 1Gi}
        """,
        SpeculatorTraining.class,
        c.namespace);
    Job datagen = c.sim.awaitJob(c.namespace, "tr-datagen");
    c.sim.runToSuccess(datagen, "datagen", i -> summary(i, 1, 100, 100_000));
    // its pod held a GPU for half an hour
    for (Pod p : c.sim.pods(datagen)) {
      c.sim.editPod(
          p,
          x -> {
            x.getStatus().setStartTime(Instant.now().minusSeconds(1800).toString());
            return x;
          });
    }
    // the output volume is too small for three checkpoints of an 8B model's draft
    SpeculatorTraining refused = c.awaitReason(SpeculatorTraining.class, "tr", "StorageTooSmall");
    assertThat(refused.getStatus().phase).isEqualTo(TrainingPhase.FAILED);
    assertThat(refused.getStatus().message)
        .startsWith("the checkpoints and final speculator needs about")
        .contains("3 checkpoints of")
        .contains("storage.size 1Gi holds only 1.0 GiB");
    assertThat(c.sim.job(c.namespace, "tr-train")).isNull();
    // what the dataset cost is part of what the training cost
    SpeculatorTraining costed =
        c.await(
            SpeculatorTraining.class,
            "tr",
            t -> t.getStatus().usage != null && t.getStatus().usage.of("Generating") >= 1790);
    assertThat(costed.getStatus().usage.gpuSeconds)
        .isEqualTo(costed.getStatus().usage.of("Generating"));

    // with room for its checkpoints, a training on the same data runs; its log gives rate and ETA
    Resources.create(
        client,
        """
        apiVersion: speculators.dev/v1alpha1
        kind: SpeculatorTraining
        metadata: {name: roomy}
        spec:
          dataset: {ref: {name: tr}}
          training: {epochs: 3}
          storage: {size: 100Gi}
        """,
        SpeculatorTraining.class,
        c.namespace);
    Job trainer = c.sim.awaitJob(c.namespace, "roomy-train");
    assertThat(
            c.await(
                    SpeculatorTraining.class,
                    "roomy",
                    t -> t.getStatus() != null && t.getStatus().storage != null)
                .getStatus()
                .storage
                .verdict)
        .isEqualTo("Fits");
    Pod pod = c.sim.createPod(trainer, null);
    logs(
        c,
        pod,
        "train",
        "PROGRESS {\"kind\":\"train\",\"epoch\":2,\"epochs\":3,\"step\":10,\"stepsPerEpoch\":50,"
            + "\"globalStep\":60,\"totalSteps\":150,\"loss\":3.1,\"tokensPerSecond\":41234,"
            + "\"elapsedSeconds\":1200,\"etaSeconds\":1800}");
    c.sim.running(pod);
    Instant before = Instant.now();
    SpeculatorTraining running =
        c.await(
            SpeculatorTraining.class,
            "roomy",
            t -> t.getStatus().progress != null && t.getStatus().progress.eta != null);
    assertThat(running.getStatus().progress.rate).isEqualTo("41.2k tokens/s");
    assertThat(running.getStatus().progress.tokensPerSecond).isEqualTo(41200.0);
    assertThat(running.getStatus().progress.elapsedSeconds).isEqualTo(1200);
    assertThat(Instant.parse(running.getStatus().progress.eta))
        .isBetween(before.plusSeconds(1800), Instant.now().plusSeconds(1860));
  }

  @Test
  void anEvaluationReportsBenchmarksPerHourAndAnEta() {
    Cluster c = new Cluster(client, "rates-eval");
    Resources.create(
        client,
        """
        apiVersion: speculators.dev/v1alpha1
        kind: SpeculatorEval
        metadata: {name: ev}
        spec:
          targetModel: {hfId: org/target}
          speculator: {hfId: org/draft}
          datasets: [org/a:a.jsonl, org/b:b.jsonl, org/c:c.jsonl]
        """,
        dev.speculators.api.SpeculatorEval.class,
        c.namespace);
    Job job = c.sim.awaitJob(c.namespace, "ev-eval");
    Pod pod = c.sim.createPod(job, null);
    logs(c, pod, "eval", "PROGRESS {\"kind\":\"eval\",\"benchmarksCompleted\":1}");
    c.sim.running(pod);
    // the Job started twenty minutes ago and one of three benchmarks is done
    c.sim.editJob(
        job,
        st -> {
          st.setStartTime(Instant.now().minusSeconds(1200).toString());
          return st;
        });
    Instant before = Instant.now();
    var ev =
        c.await(
            dev.speculators.api.SpeculatorEval.class,
            "ev",
            e -> e.getStatus() != null && e.getStatus().progress.eta != null);
    assertThat(ev.getStatus().progress.summary).isEqualTo("1/3 benchmarks");
    assertThat(ev.getStatus().progress.rate).isEqualTo("3 benchmarks/h");
    assertThat(ev.getStatus().progress.elapsedSeconds).isEqualTo(1200);
    // two more at 20 minutes each
    assertThat(Instant.parse(ev.getStatus().progress.eta))
        .isBetween(before.plusSeconds(2400 - 60), Instant.now().plusSeconds(2400 + 120));
  }

  @Test
  void anEvaluationCountsTheBenchmarksItsContainerFound() {
    // a Hub dataset without a file name is one benchmark per .jsonl in it
    Cluster c = new Cluster(client, "rates-eval-total");
    Resources.create(
        client,
        """
        apiVersion: speculators.dev/v1alpha1
        kind: SpeculatorEval
        metadata: {name: ev}
        spec:
          targetModel: {hfId: org/target}
          speculator: {hfId: org/draft}
          datasets: [org/bench]
        """,
        dev.speculators.api.SpeculatorEval.class,
        c.namespace);
    Job job = c.sim.awaitJob(c.namespace, "ev-eval");
    Pod pod = c.sim.createPod(job, null);
    logs(
        c,
        pod,
        "eval",
        "PROGRESS {\"kind\":\"eval\",\"benchmarksCompleted\":1,\"benchmarksTotal\":3,"
            + "\"elapsedSeconds\":60,\"etaSeconds\":120}");
    c.sim.running(pod);
    var ev =
        c.await(
            dev.speculators.api.SpeculatorEval.class,
            "ev",
            e -> e.getStatus() != null && "1/3 benchmarks".equals(e.getStatus().progress.summary));
    assertThat(ev.getStatus().progress.benchmarksTotal).isEqualTo(3);
  }

  @Test
  void anEvalLongerThanItsSpeculatorsContextIsRefusedBeforeAnyPod() {
    Cluster c = new Cluster(client, "draft-context");
    String eval =
        """
        apiVersion: speculators.dev/v1alpha1
        kind: SpeculatorEval
        metadata: {name: %s}
        spec:
          targetModel: {hfId: org/target}
          speculator: {path: {claimName: models, path: drafts/%s}}
          datasets: ['prompt_tokens=128,output_tokens=64']
          vllm: {maxModelLen: %d}
        """;
    Resources.create(
        client,
        eval.formatted("long", "short", 8192),
        dev.speculators.api.SpeculatorEval.class,
        c.namespace);
    Resources.create(
        client,
        eval.formatted("legacy", "legacy", 4096),
        dev.speculators.api.SpeculatorEval.class,
        c.namespace);
    Resources.create(
        client,
        eval.formatted("fits", "short", 4096),
        dev.speculators.api.SpeculatorEval.class,
        c.namespace);
    // a path without a claim is on the evaluation's own storage
    Resources.create(
        client,
        """
        apiVersion: speculators.dev/v1alpha1
        kind: SpeculatorEval
        metadata: {name: own-storage}
        spec:
          targetModel: {hfId: org/target}
          speculator: {path: {path: drafts/short}}
          storage: {claimName: models}
          datasets: ['prompt_tokens=128,output_tokens=64']
          vllm: {maxModelLen: 8192}
        """,
        dev.speculators.api.SpeculatorEval.class,
        c.namespace);
    assertThat(
            c.awaitReason(dev.speculators.api.SpeculatorEval.class, "own-storage", "InvalidSpec")
                .getStatus()
                .message)
        .contains("exceeds max_position_embeddings 4096");
    var refused = c.awaitReason(dev.speculators.api.SpeculatorEval.class, "long", "InvalidSpec");
    assertThat(refused.getStatus().message)
        .contains(
            "vllm.maxModelLen 8192 exceeds max_position_embeddings 4096 of the speculator"
                + " drafts/short",
            "at most 4096");
    assertThat(
            c.awaitReason(dev.speculators.api.SpeculatorEval.class, "legacy", "InvalidSpec")
                .getStatus()
                .message)
        .contains("exceeds max_position_embeddings 2048");
    assertThat(c.sim.awaitJob(c.namespace, "fits-eval")).isNotNull();
    assertThat(c.sim.job(c.namespace, "long-eval")).as("no pod that vLLM would refuse").isNull();
    assertThat(c.sim.job(c.namespace, "legacy-eval")).isNull();
  }

  private static void logs(Cluster c, Pod pod, String container, String line) {
    server
        .expect()
        .get()
        .withPath(
            "/api/v1/namespaces/"
                + c.namespace
                + "/pods/"
                + pod.getMetadata().getName()
                + "/log?pretty=false&container="
                + container
                + "&tailLines=200&limitBytes=65536")
        .andReturn(200, "some line\n" + line + "\n")
        .always();
  }
}
