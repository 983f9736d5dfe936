package dev.speculators.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.speculators.api.DatasetPhase;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.operator.testing.Cluster;
import dev.speculators.operator.testing.Resources;
import dev.speculators.operator.testing.Summaries;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventListBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The HiddenStateDataset controller on the mock API server, with the test as Job controller and
 * kubelet: the Job that reaches the API, the status walk to Succeeded, and every pod-level trouble
 * and failure the status must tell.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class DatasetControllerTest {
  @Inject KubernetesClient client;

  @KubernetesTestServer KubernetesServer server;

  private static final String SMALL =
      """
      apiVersion: speculators.dev/v1alpha1
      kind: HiddenStateDataset
      metadata: {name: small}
      spec:
        targetModel: {hfId: org/model, tokenSecretRef: {name: hf-token}}
        datasets: [{preset: sharegpt}]
        layerIds: [2, 4, 5, 8]
        shards: 2
      """;

  private Cluster cluster(String ns) {
    return new Cluster(client, ns);
  }

  private HiddenStateDataset create(Cluster c, String yaml) {
    return Resources.create(client, yaml, HiddenStateDataset.class, c.namespace);
  }

  @Test
  void theExampleDatasetWalksFromPendingThroughGeneratingToSucceeded() {
    Cluster c = cluster("ds-happy");
    HiddenStateDataset ds =
        client
            .resource(
                Resources.as(
                    client,
                    Resources.admittedFile(Path.of("examples/hiddenstatedataset.yaml")).get(0),
                    HiddenStateDataset.class,
                    c.namespace))
            .create();
    String name = ds.getMetadata().getName();
    Job job = c.sim.awaitJob(c.namespace, name + "-datagen");

    // what reached the API server
    assertThat(job.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getKind()).isEqualTo("HiddenStateDataset");
              assertThat(r.getUid()).isEqualTo(ds.getMetadata().getUid());
              assertThat(r.getController()).isTrue();
            });
    assertThat(job.getSpec().getCompletionMode()).isEqualTo("Indexed");
    assertThat(job.getSpec().getCompletions()).isEqualTo(4);
    assertThat(
            job.getSpec()
                .getPodFailurePolicy()
                .getRules()
                .get(0)
                .getOnPodConditions()
                .get(0)
                .getType())
        .isEqualTo("DisruptionTarget");
    PodSpec pod = job.getSpec().getTemplate().getSpec();
    Container vllm = pod.getInitContainers().get(2);
    assertThat(vllm.getName()).isEqualTo("vllm");
    assertThat(vllm.getRestartPolicy()).isEqualTo("Always");
    assertThat(vllm.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("1"));
    assertThat(vllm.getStartupProbe().getHttpGet().getPath()).isEqualTo("/health");
    assertThat(vllm.getArgs()).contains("meta-llama/Llama-3.1-8B-Instruct", "--kv-transfer-config");
    assertThat(pod.getInitContainers())
        .extracting(Container::getName)
        .as(
            "the operator cannot read the config of a gated Hub model: the pod checks the storage;"
                + " no layerIds: resolved at start")
        .containsExactly("preflight", "layer-ids", "vllm");
    Container datagen = pod.getContainers().get(0);
    assertThat(datagen.getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("HF_TOKEN");
              assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("hf-token");
            });
    assertThat(datagen.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getVolumes())
        .anySatisfy(
            v -> {
              assertThat(v.getName()).isEqualTo("dshm");
              assertThat(v.getEmptyDir().getMedium()).isEqualTo("Memory");
            });
    PersistentVolumeClaim pvc =
        client
            .persistentVolumeClaims()
            .inNamespace(c.namespace)
            .withName(name + "-hidden-states")
            .get();
    assertThat(pvc.getSpec().getResources().getRequests().get("storage"))
        .isEqualTo(new Quantity("500Gi"));
    assertThat(pvc.getMetadata().getOwnerReferences())
        .as("retained by default: no owner")
        .isNullOrEmpty();
    var cm = client.configMaps().inNamespace(c.namespace).withName(name + "-datagen").get();
    assertThat(cm.getData().get("datagen.args")).contains("--max-samples\n5000\n", "sharegpt");
    assertThat(cm.getMetadata().getOwnerReferences()).hasSize(1);

    HiddenStateDataset pending =
        c.await(
            HiddenStateDataset.class,
            name,
            d -> d.getStatus() != null && d.getStatus().children != null);
    assertThat(pending.getStatus().phase).isEqualTo(DatasetPhase.PENDING);
    assertThat(pending.getStatus().children.job).isEqualTo(name + "-datagen");
    assertThat(pending.getStatus().children.persistentVolumeClaim)
        .isEqualTo(name + "-hidden-states");

    List<Pod> shardPods = c.sim.start(job);
    for (int i = 0; i < shardPods.size(); i++) {
      // each shard's log ends in a PROGRESS line (the operator reads the tail at a bounded rate)
      server
          .expect()
          .get()
          .withPath(
              "/api/v1/namespaces/ds-happy/pods/"
                  + shardPods.get(i).getMetadata().getName()
                  + "/log?pretty=false&container=datagen&tailLines=200&limitBytes=65536")
          .andReturn(
              200,
              "shard-"
                  + i
                  + ": 100/1250 rows\nPROGRESS {\"kind\":\"datagen\",\"label\":\"shard "
                  + i
                  + "\",\"rows\":100,\"totalRows\":1250,\"samples\":98,\"failedSamples\":2,\"tokens\":9000}\n")
          .always();
    }
    HiddenStateDataset live =
        c.await(
            HiddenStateDataset.class,
            name,
            d ->
                d.getStatus().progress != null
                    && Long.valueOf(4 * 98).equals(d.getStatus().progress.samples));
    assertThat(live.getStatus().progress.summary).isEqualTo("0/4 shards (running: 400/5000 rows)");
    assertThat(live.getStatus().progress.tokens).isEqualTo(36_000L);
    HiddenStateDataset generating = c.awaitReason(HiddenStateDataset.class, name, "Generating");
    assertThat(generating.getStatus().phase).isEqualTo(DatasetPhase.GENERATING);
    assertThat(Cluster.condition(generating.getStatus(), "Reconciling")).isEqualTo("True");
    assertThat(generating.getStatus().startTime).isNotNull();

    for (int i = 0; i < 3; i++) {
      c.sim.succeedIndex(
          job, "datagen", i, Summaries.datagen(i, 4, 1250, 100_000, 1_000_000, false));
    }
    HiddenStateDataset three =
        c.await(
            HiddenStateDataset.class,
            name,
            d ->
                d.getStatus().progress != null
                    && Integer.valueOf(3).equals(d.getStatus().progress.shardsSucceeded));
    assertThat(three.getStatus().progress.summary).isEqualTo("3/4 shards (running: 100/1250 rows)");
    assertThat(three.getStatus().progress.samples)
        .as("3 finished shards + 1 running")
        .isEqualTo(3750L + 98);
    assertThat(three.getStatus().phase).isEqualTo(DatasetPhase.GENERATING);

    c.sim.succeedIndex(job, "datagen", 3, Summaries.datagen(3, 4, 1250, 100_000, 1_000_000, true));
    HiddenStateDataset done =
        c.await(HiddenStateDataset.class, name, d -> d.getStatus().phase == DatasetPhase.SUCCEEDED);
    assertThat(Cluster.condition(done.getStatus(), "Ready")).isEqualTo("True");
    assertThat(Cluster.condition(done.getStatus(), "Reconciling")).isEqualTo("False");
    assertThat(Cluster.condition(done.getStatus(), "Stalled")).isEqualTo("False");
    assertThat(done.getStatus().results.samples).isEqualTo(5000L);
    assertThat(done.getStatus().results.tokens).isEqualTo(400_000L);
    assertThat(done.getStatus().results.claimName).isEqualTo(name + "-hidden-states");
    assertThat(done.getStatus().results.dataPath).isEqualTo(name);
    assertThat(done.getStatus().progress.bytes).isEqualTo(4_000_000L);
    assertThat(done.getStatus().completionTime).isNotNull();
    assertThat(done.getStatus().observedGeneration).isEqualTo(1L);

    List<String> reasons =
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () -> c.events(name).stream().map(Event::getReason).toList(),
                r -> r.contains("Succeeded"));
    assertThat(reasons).containsSubsequence("Pending", "Generating", "Succeeded");
    assertThat(c.sim.counts(c.namespace))
        .containsEntry("jobs", 1)
        .containsEntry("pvcs", 1)
        .containsEntry("configmaps", 1);
  }

  @Test
  void noGpuNodeStallsTheDatasetUntilThePodIsScheduled() {
    Cluster c = cluster("ds-unschedulable");
    create(c, SMALL);
    Job job = c.sim.awaitJob(c.namespace, "small-datagen");
    Pod pod = c.sim.createPod(job, 0);
    c.sim.unschedulable(pod, "0/4 nodes are available: 4 Insufficient nvidia.com/gpu.");
    HiddenStateDataset stalled = c.awaitReason(HiddenStateDataset.class, "small", "Unschedulable");
    assertThat(Cluster.condition(stalled.getStatus(), "Stalled")).isEqualTo("True");
    assertThat(Cluster.condition(stalled.getStatus(), "Reconciling")).isEqualTo("False");
    assertThat(Cluster.condition(stalled.getStatus(), "Failed")).isEqualTo("False");
    assertThat(stalled.getStatus().message).contains("Insufficient nvidia.com/gpu");
    assertThat(stalled.getStatus().phase).isEqualTo(DatasetPhase.PENDING);
    assertThat(c.awaitEvent("small", "Unschedulable").getType()).isEqualTo("Warning");

    c.sim.running(pod);
    HiddenStateDataset resumed = c.awaitReason(HiddenStateDataset.class, "small", "Generating");
    assertThat(Cluster.condition(resumed.getStatus(), "Stalled")).isEqualTo("False");
  }

  @Test
  void podTroubleIsNamedWithItsCause() {
    Cluster c = cluster("ds-trouble");
    create(c, SMALL);
    Job job = c.sim.awaitJob(c.namespace, "small-datagen");
    Pod pod = c.sim.createPod(job, 0);

    c.sim.waiting(pod, "datagen", "CreateContainerConfigError", "secret \"hf-token\" not found");
    assertThat(
            c.awaitReason(HiddenStateDataset.class, "small", "ContainerConfigError")
                .getStatus()
                .message)
        .contains("secret \"hf-token\" not found", "container datagen");

    c.sim.waiting(
        pod, "vllm", "ImagePullBackOff", "Back-off pulling image \"vllm/vllm-openai:v0.28.0\"");
    assertThat(
            c.awaitReason(HiddenStateDataset.class, "small", "ImagePullFailed").getStatus().message)
        .contains("container vllm", "Back-off pulling image");

    c.sim.crashLooping(
        pod, "vllm", 1, "Error", "ValueError: Qwen3_5ForCausalLM does not support EAGLE3");
    assertThat(
            c.awaitReason(HiddenStateDataset.class, "small", "CrashLoopBackOff")
                .getStatus()
                .message)
        .contains("does not support EAGLE3", "restarted 5 times");

    c.sim.unschedulable(
        pod, "0/3 nodes are available: persistentvolumeclaim \"small-hidden-states\" not bound.");
    assertThat(
            c.awaitReason(HiddenStateDataset.class, "small", "VolumeUnavailable")
                .getStatus()
                .message)
        .contains("small-hidden-states");
  }

  @Test
  void anOomKilledShardIsRetriedThenTheDatasetFailsWithThePodsReason() {
    Cluster c = cluster("ds-oom");
    create(c, SMALL);
    Job job = c.sim.awaitJob(c.namespace, "small-datagen");
    List<Pod> pods = c.sim.start(job);
    c.sim.failPod(pods.get(1), job, "datagen", 137, "OOMKilled", "");
    HiddenStateDataset retrying =
        c.await(
            HiddenStateDataset.class,
            "small",
            d ->
                d.getStatus() != null
                    && d.getStatus().message != null
                    && d.getStatus().message.contains("OOMKilled"));
    assertThat(retrying.getStatus().phase).isEqualTo(DatasetPhase.GENERATING);
    assertThat(Cluster.condition(retrying.getStatus(), "Failed")).isEqualTo("False");

    c.sim.failJob(job, "FailedIndexes", "Job has failed indexes");
    HiddenStateDataset failed =
        c.await(HiddenStateDataset.class, "small", d -> d.getStatus().phase == DatasetPhase.FAILED);
    assertThat(failed.getStatus().condition("Failed").orElseThrow().getReason())
        .isEqualTo("OOMKilled");
    assertThat(Cluster.condition(failed.getStatus(), "Failed")).isEqualTo("True");
    assertThat(Cluster.condition(failed.getStatus(), "Stalled")).isEqualTo("True");
    assertThat(Cluster.condition(failed.getStatus(), "Ready")).isEqualTo("False");
    assertThat(failed.getStatus().message)
        .contains("Job small-datagen failed (FailedIndexes)", "OOMKilled");
    assertThat(failed.getStatus().completionTime).isNotNull();
    assertThat(c.awaitEvent("small", "OOMKilled").getType()).isEqualTo("Warning");
  }

  @Test
  void aUsageErrorFailsAtOnceWithTheWorkersMessage() {
    Cluster c = cluster("ds-usage");
    create(c, SMALL);
    Job job = c.sim.awaitJob(c.namespace, "small-datagen");
    List<Pod> pods = c.sim.start(job);
    c.sim.failPod(
        pods.get(0),
        job,
        "datagen",
        2,
        "Error",
        "{\"kind\":\"datagen\",\"error\":\"--layer-ids: id 40 exceeds the model's 32 layers\"}");
    c.sim.failJob(
        job,
        "PodFailurePolicy",
        "Container datagen for pod small-datagen-0 failed with exit code 2");
    HiddenStateDataset failed =
        c.awaitReason(HiddenStateDataset.class, "small", "InvalidArguments");
    assertThat(failed.getStatus().phase).isEqualTo(DatasetPhase.FAILED);
    assertThat(failed.getStatus().message).contains("id 40 exceeds the model's 32 layers");
  }

  @Test
  void podsThatCannotBeCreatedShowTheQuotaError() {
    Cluster c = cluster("ds-quota");
    create(c, SMALL);
    Job job = c.sim.awaitJob(c.namespace, "small-datagen");
    Event event =
        c.sim.jobEvent(
            job,
            "FailedCreate",
            "Error creating: pods \"small-datagen-0-x\" is forbidden: exceeded quota: gpu, requested: nvidia.com/gpu=1");
    // the mock ignores field selectors on events; a real API server answers this query itself
    server
        .expect()
        .get()
        .withPath(
            "/api/v1/namespaces/ds-quota/events?fieldSelector=involvedObject.name%3Dsmall-datagen")
        .andReturn(200, new EventListBuilder().withItems(event).build())
        .always();
    HiddenStateDataset stalled =
        c.awaitReason(HiddenStateDataset.class, "small", "PodCreationFailed");
    assertThat(stalled.getStatus().message).contains("exceeded quota: gpu");
    assertThat(Cluster.condition(stalled.getStatus(), "Stalled")).isEqualTo("True");
  }

  @Test
  void aJobSuspendedByKueueIsQueued() {
    Cluster c = cluster("ds-kueue");
    create(c, SMALL.replace("shards: 2", "shards: 2\n  queueName: team-a-gpus"));
    Job job = c.sim.awaitJob(c.namespace, "small-datagen");
    assertThat(job.getMetadata().getLabels())
        .containsEntry("kueue.x-k8s.io/queue-name", "team-a-gpus");
    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(c.namespace)
        .withName(job.getMetadata().getName())
        .edit(
            j -> {
              j.getSpec().setSuspend(true);
              return j;
            });
    assertThat(c.awaitReason(HiddenStateDataset.class, "small", "Queued").getStatus().message)
        .contains("team-a-gpus");
  }

  @Test
  void deletionLeavesCollectionToOwnerReferencesAndKeepsRetainedData() {
    Cluster c = cluster("ds-delete");
    create(c, SMALL);
    create(
        c,
        SMALL
            .replace("name: small", "name: scratch")
            .replace("shards: 2", "shards: 2\n  storage: {size: 10Gi, retentionPolicy: Delete}"));
    c.sim.awaitJob(c.namespace, "small-datagen");
    c.sim.awaitJob(c.namespace, "scratch-datagen");
    HiddenStateDataset small = c.get(HiddenStateDataset.class, "small");
    HiddenStateDataset scratch = c.get(HiddenStateDataset.class, "scratch");
    assertThat(
            client
                .persistentVolumeClaims()
                .inNamespace(c.namespace)
                .withName("small-hidden-states")
                .get()
                .getMetadata()
                .getOwnerReferences())
        .isNullOrEmpty();
    assertThat(
            client
                .persistentVolumeClaims()
                .inNamespace(c.namespace)
                .withName("scratch-hidden-states")
                .get()
                .getMetadata()
                .getOwnerReferences())
        .singleElement()
        .satisfies(r -> assertThat(r.getUid()).isEqualTo(scratch.getMetadata().getUid()));
    for (String job : List.of("small-datagen")) {
      assertThat(c.sim.job(c.namespace, job).getMetadata().getOwnerReferences())
          .singleElement()
          .satisfies(r -> assertThat(r.getUid()).isEqualTo(small.getMetadata().getUid()));
    }

    client.resource(small).delete();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> c.get(HiddenStateDataset.class, "small") == null);
    // the mock has no garbage collector: the operator itself deletes nothing, least of all data
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                client
                            .persistentVolumeClaims()
                            .inNamespace(c.namespace)
                            .withName("small-hidden-states")
                            .get()
                        != null
                    && c.sim.job(c.namespace, "small-datagen") != null);
  }
}
