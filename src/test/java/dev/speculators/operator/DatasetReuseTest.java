package dev.speculators.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.api.DatasetPhase;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.api.SpeculatorTraining;
import dev.speculators.api.TrainingPhase;
import dev.speculators.operator.dataset.DatasetIdentities;
import dev.speculators.operator.kube.WorkloadSettings;
import dev.speculators.operator.pods.StoragePlan;
import dev.speculators.operator.testing.Cluster;
import dev.speculators.operator.testing.Resources;
import dev.speculators.operator.testing.Summaries;
import dev.speculators.operator.testing.TestOperator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reuse of a dataset by content hash under the real controllers on the mock API server: a second
 * training over the same data starts its trainer without a datagen Job, a changed seed or revision
 * (or {@code reuse: Never}) generates, and deleting the original while a reuser trains keeps the
 * data.
 */
@EnableKubernetesMockClient(crud = true)
class DatasetReuseTest {
  static KubernetesMockServer server;
  static KubernetesClient client;
  static TestOperator operator;

  private static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() {
    TestOperator.installCrds(client);
    operator = TestOperator.start(client, WorkloadSettings.defaults());
  }

  @AfterAll
  static void stop() {
    operator.close();
  }

  private static String training(String name, String extra) {
    return """
        apiVersion: speculators.dev/v1alpha1
        kind: SpeculatorTraining
        metadata: {name: %s}
        spec:
          dataset:
            template:
              targetModel: {hfId: org/target}
              datasets: [{preset: sharegpt, maxSamples: 1000}]
              layerIds: [2, 4, 5, 8]
              storage: {size: 50Gi, retentionPolicy: Delete}
        %s
          training: {epochs: 2}
        """
        .formatted(name, extra);
  }

  private static String dataset(String name, String model, String spec) {
    return """
        apiVersion: speculators.dev/v1alpha1
        kind: HiddenStateDataset
        metadata: {name: %s}
        spec:
          targetModel: %s
          datasets: [{preset: ultrachat, maxSamples: 500}]
          layerIds: [2, 4, 5, 8]
        %s
        """
        .formatted(name, model, spec);
  }

  private static String dataset(String name, String spec) {
    return dataset(name, "{hfId: org/target}", spec);
  }

  /** The summary a datagen shard writes, with the content hash it computed. */
  static String summary(int shard, int shards, String contentHash) {
    ObjectNode s =
        (ObjectNode) readTree(Summaries.datagen(shard, shards, 100, 100_000, 4_000_000, true));
    s.put("contentHash", contentHash);
    s.put("hiddenSize", 4096);
    s.putArray("layerIds").add(2).add(4).add(5).add(8);
    return s.toString();
  }

  private static com.fasterxml.jackson.databind.JsonNode readTree(String s) {
    try {
      return JSON.readTree(s);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs the dataset's datagen Job to success, its shards reporting the spec's content hash. */
  static HiddenStateDataset generate(Cluster c, String name) {
    HiddenStateDataset ds = c.await(HiddenStateDataset.class, name, d -> true);
    String hash = hashOf(ds);
    Job job = c.sim.awaitJob(c.namespace, name + "-datagen");
    int shards = job.getSpec().getCompletions();
    c.sim.runToSuccess(job, "datagen", i -> summary(i, shards, hash));
    return c.await(
        HiddenStateDataset.class,
        name,
        d -> d.getStatus() != null && d.getStatus().phase == DatasetPhase.SUCCEEDED);
  }

  static String hashOf(HiddenStateDataset ds) {
    return DatasetIdentities.hash(
        ds.getSpec(),
        StoragePlan.of(ds, ds.getSpec().storage, "hidden-states", "100Gi").claimName());
  }

  /**
   * What the garbage collector does with an object whose owners were deleted: it deletes the object
   * once none of its owners exists (the mock API server has no garbage collector).
   */
  static boolean collectable(HasMetadata o, String namespace) {
    List<OwnerReference> owners = o.getMetadata().getOwnerReferences();
    if (owners == null || owners.isEmpty()) {
      return false;
    }
    return owners.stream()
        .noneMatch(
            r ->
                client
                    .genericKubernetesResources(r.getApiVersion(), r.getKind())
                    .inNamespace(namespace)
                    .list()
                    .getItems()
                    .stream()
                    .anyMatch(x -> r.getUid().equals(x.getMetadata().getUid())));
  }

  @Test
  void aSecondTrainingOverTheSameDataTrainsWithoutGeneratingAndKeepsTheDataWhenTheOriginalGoes() {
    Cluster c = new Cluster(client, "reuse-two");
    Resources.create(client, training("first", ""), SpeculatorTraining.class, c.namespace);
    HiddenStateDataset first = generate(c, "first");
    assertThat(first.getStatus().results.contentHash).isEqualTo(hashOf(first));
    Job firstTrainer = c.sim.awaitJob(c.namespace, "first-train");
    Pod firstPod = c.sim.createPod(firstTrainer, null);
    c.sim.running(firstPod);

    Resources.create(client, training("second", ""), SpeculatorTraining.class, c.namespace);
    HiddenStateDataset second =
        c.await(
            HiddenStateDataset.class,
            "second",
            d -> d.getStatus() != null && d.getStatus().phase == DatasetPhase.SUCCEEDED);
    assertThat(second.getStatus().reusedFrom).isEqualTo("first");
    assertThat(second.getStatus().condition("Ready").orElseThrow().getReason()).isEqualTo("Reused");
    assertThat(second.getStatus().results.claimName).isEqualTo("first-hidden-states");
    assertThat(second.getStatus().results.dataPath).isEqualTo("first");
    assertThat(second.getStatus().results.samples).isEqualTo(100);
    assertThat(second.getStatus().results.contentHash).isEqualTo(hashOf(second));
    assertThat(second.getStatus().message)
        .contains("reused the data of HiddenStateDataset first")
        .contains("nothing generated");
    assertThat(c.awaitEvent("second", "Reused").getType()).isEqualTo("Normal");

    // the trainer of the second training reads the first dataset's volume; no datagen Job
    Job trainer = c.sim.awaitJob(c.namespace, "second-train");
    assertThat(trainer.getSpec().getTemplate().getSpec().getVolumes())
        .anySatisfy(
            v -> {
              assertThat(v.getName()).isEqualTo("dataset");
              assertThat(v.getPersistentVolumeClaim().getClaimName())
                  .isEqualTo("first-hidden-states");
            });
    assertThat(c.sim.job(c.namespace, "second-datagen")).isNull();
    assertThat(
            client
                .persistentVolumeClaims()
                .inNamespace(c.namespace)
                .withName("second-hidden-states")
                .get())
        .as("a reuser creates no volume")
        .isNull();
    assertThat(c.awaitEvent("second", "Training").getMessage())
        .isEqualTo(
            "Training: creating Job second-train on HiddenStateDataset second, which reuses the"
                + " data of first");

    // the claim is deleted with its owners (retentionPolicy Delete): the reuser is one of them
    PersistentVolumeClaim claim =
        Awaitility.await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    client
                        .persistentVolumeClaims()
                        .inNamespace(c.namespace)
                        .withName("first-hidden-states")
                        .get(),
                p -> p.getMetadata().getOwnerReferences().size() == 2);
    assertThat(claim.getMetadata().getOwnerReferences())
        .extracting(OwnerReference::getUid)
        .containsExactlyInAnyOrder(first.getMetadata().getUid(), second.getMetadata().getUid());
    assertThat(claim.getMetadata().getOwnerReferences())
        .filteredOn(r -> r.getUid().equals(second.getMetadata().getUid()))
        .singleElement()
        .satisfies(r -> assertThat(r.getController()).isFalse());

    // the original goes (its training deleted it, or a person) while the reuser trains
    client.resource(c.get(SpeculatorTraining.class, "first")).delete();
    client.resource(c.get(HiddenStateDataset.class, "first")).delete();
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> c.get(HiddenStateDataset.class, "first") == null);
    PersistentVolumeClaim kept =
        client
            .persistentVolumeClaims()
            .inNamespace(c.namespace)
            .withName("first-hidden-states")
            .get();
    assertThat(collectable(kept, c.namespace))
        .as("the garbage collector keeps the data while a reuser exists")
        .isFalse();
    c.sim.runToSuccess(trainer, "train", i -> Summaries.train(2, 2.0));
    SpeculatorTraining done =
        c.await(
            SpeculatorTraining.class,
            "second",
            t -> t.getStatus() != null && t.getStatus().phase == TrainingPhase.SUCCEEDED);
    assertThat(done.getStatus().results.finalPath).isEqualTo("second/final");
    assertThat(c.get(HiddenStateDataset.class, "second").getStatus().phase)
        .isEqualTo(DatasetPhase.SUCCEEDED);

    // and goes with the last dataset that uses it
    client.resource(c.get(HiddenStateDataset.class, "second")).delete();
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> c.get(HiddenStateDataset.class, "second") == null);
    assertThat(collectable(kept, c.namespace)).isTrue();
  }

  @Test
  void aChangedSeedOrRevisionGeneratesAndSoDoesReuseNever() {
    Cluster c = new Cluster(client, "reuse-changed");
    Resources.create(client, dataset("base", ""), HiddenStateDataset.class, c.namespace);
    generate(c, "base");

    Resources.create(client, dataset("same", ""), HiddenStateDataset.class, c.namespace);
    assertThat(c.awaitReason(HiddenStateDataset.class, "same", "Reused").getStatus().reusedFrom)
        .isEqualTo("base");
    // a reuser of a reuser points at the dataset that generated the data
    Resources.create(client, dataset("again", ""), HiddenStateDataset.class, c.namespace);
    assertThat(c.awaitReason(HiddenStateDataset.class, "again", "Reused").getStatus().reusedFrom)
        .isEqualTo("base");

    Resources.create(client, dataset("seed", "  seed: 7"), HiddenStateDataset.class, c.namespace);
    Resources.create(
        client,
        dataset("revision", "{hfId: org/target, revision: abc1234}", ""),
        HiddenStateDataset.class,
        c.namespace);
    Resources.create(
        client, dataset("never", "  reuse: Never"), HiddenStateDataset.class, c.namespace);
    for (String name : List.of("seed", "revision", "never")) {
      assertThat(c.sim.awaitJob(c.namespace, name + "-datagen")).as(name).isNotNull();
      assertThat(c.get(HiddenStateDataset.class, name).getStatus().reusedFrom).as(name).isNull();
    }
    assertThat(hashOf(c.get(HiddenStateDataset.class, "revision")))
        .isNotEqualTo(hashOf(c.get(HiddenStateDataset.class, "base")));

    // a dataset labelled unshareable is never reused by others
    Cluster d = new Cluster(client, "reuse-private");
    HiddenStateDataset priv =
        Resources.as(
            client,
            Resources.admitted(dataset("private", "")).get(0),
            HiddenStateDataset.class,
            d.namespace);
    priv.getMetadata().setLabels(java.util.Map.of("speculators.dev/shareable", "false"));
    client.resource(priv).create();
    generate(d, "private");
    Resources.create(client, dataset("other", ""), HiddenStateDataset.class, d.namespace);
    assertThat(d.sim.awaitJob(d.namespace, "other-datagen")).isNotNull();
    assertThat(
            Optional.ofNullable(d.get(HiddenStateDataset.class, "other").getStatus())
                .map(s -> s.reusedFrom))
        .isEmpty();
  }
}
