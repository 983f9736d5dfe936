package dev.speculators.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speculators.api.DatasetPhase;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.api.SpeculatorTraining;
import dev.speculators.api.TrainingPhase;
import dev.speculators.io.StorageCheck;
import dev.speculators.operator.dataset.DatasetIdentities;
import dev.speculators.operator.kube.WorkloadSettings;
import dev.speculators.operator.preflight.ModelConfigs;
import dev.speculators.operator.testing.Cluster;
import dev.speculators.operator.testing.ClusterSim;
import dev.speculators.operator.testing.Kubelet;
import dev.speculators.operator.testing.Resources;
import dev.speculators.operator.testing.TestOperator;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reuse with the real workers: the tiny example model on one claim, its conversations on another,
 * and every pod the operator creates run by {@link Kubelet}. The content hash {@code datagen}
 * writes is the one the operator computes from the spec (the volumes named by claim, not by mount
 * point); a training whose dataset template equals the dataset trains on its files without a
 * datagen Job; the storage estimates of both are checked against the bytes the workers wrote.
 */
@EnableKubernetesMockClient(crud = true)
class ReuseOnMockTest {
  static KubernetesMockServer server;
  static KubernetesClient client;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path EXAMPLES = Path.of("examples", "local").toAbsolutePath();

  private static final String DATA =
      """
        engine: reference
        targetModel: {pvc: {claimName: models, subPath: tiny}}
        datasets:
          - path: {claimName: corpus, path: chats/conversations.jsonl}
            maxSamples: 150
        sequenceLength: 256
        layerIds: [1, 2, 3, 4]
        seed: 5
        storage: {size: 1Gi, retentionPolicy: Delete}
      """;

  @BeforeAll
  static void crds() {
    TestOperator.installCrds(client);
  }

  private static void claim(Cluster c, String name) {
    client
        .persistentVolumeClaims()
        .inNamespace(c.namespace)
        .resource(
            new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadOnlyMany")
                .withNewResources()
                .addToRequests("storage", new Quantity("1Gi"))
                .endResources()
                .endSpec()
                .build())
        .create();
  }

  /** Runs every pod of the Job with the kubelet and reports it to the API server. */
  private static void run(Cluster c, Kubelet kubelet, Job job) {
    String worker = job.getMetadata().getLabels().get("app.kubernetes.io/component");
    boolean indexed = "Indexed".equals(job.getSpec().getCompletionMode());
    for (Pod pod : c.sim.start(job)) {
      c.sim.editPod(
          pod,
          p -> {
            p.getStatus().setStartTime(Instant.now().toString());
            return p;
          });
      Kubelet.Exit exit = kubelet.run(pod, worker);
      assertThat(exit.code()).as("%s: %s", worker, exit.terminationMessage()).isZero();
      if (indexed) {
        c.sim.succeedIndex(
            job,
            worker,
            Integer.parseInt(pod.getMetadata().getAnnotations().get(ClusterSim.INDEX)),
            exit.terminationMessage());
      } else {
        c.sim.succeed(job, worker, exit.terminationMessage());
      }
    }
  }

  @Test
  void theOperatorsHashIsDatagensAndASecondTrainingTrainsOnTheFilesOfTheFirst(@TempDir Path volumes)
      throws Exception {
    Cluster c = new Cluster(client, "reuse-real");
    Kubelet kubelet = new Kubelet(client, volumes, Map.of());
    claim(c, "models");
    claim(c, "corpus");
    copyDir(EXAMPLES.resolve("tiny-model"), kubelet.claim(c.namespace, "models").resolve("tiny"));
    Path chats = Files.createDirectories(kubelet.claim(c.namespace, "corpus").resolve("chats"));
    Files.copy(EXAMPLES.resolve("data/conversations.jsonl"), chats.resolve("conversations.jsonl"));
    // the operator reads the model's config where its claim is mounted into the operator's pod
    ModelConfigs configs =
        new ModelConfigs(Map.of("pvc:models", kubelet.claim(c.namespace, "models")), null);

    try (TestOperator operator =
        TestOperator.start(
            client, WorkloadSettings.defaults().withProgressLogInterval(Duration.ZERO), configs)) {
      Resources.create(
          client,
          "apiVersion: speculators.dev/v1alpha1\nkind: HiddenStateDataset\nmetadata: {name: chats}\nspec:\n"
              + DATA,
          HiddenStateDataset.class,
          c.namespace);
      run(c, kubelet, c.sim.awaitJob(c.namespace, "chats-datagen"));
      HiddenStateDataset chats0 =
          c.await(
              HiddenStateDataset.class,
              "chats",
              d -> d.getStatus() != null && d.getStatus().phase == DatasetPhase.SUCCEEDED);

      // one hash: what datagen wrote, what the operator computes from the spec
      Path data = kubelet.claim(c.namespace, "chats-hidden-states").resolve("chats");
      JsonNode config = JSON.readTree(data.resolve("data/data_config.json").toFile());
      String written = config.at("/speculators_operator/content_hash").asText();
      assertThat(chats0.getStatus().results.contentHash).isEqualTo(written);
      assertThat(DatasetIdentities.hash(chats0.getSpec(), "chats-hidden-states"))
          .isEqualTo(written);
      assertThat(config.at("/speculators_operator/content_inputs/target_model/path").asText())
          .isEqualTo("pvc:models/tiny");
      assertThat(config.at("/speculators_operator/content_inputs/sources/0/path").asText())
          .isEqualTo("pvc:corpus/chats/conversations.jsonl");
      // the operator estimated at the sequence-length cap; the worker measured before writing
      assertThat(chats0.getStatus().storage.checkedBy).isEqualTo("operator");
      assertThat(chats0.getStatus().storage.verdict).isEqualTo("Fits");
      long bytes = StorageCheck.bytesUnder(data);
      long estimated = config.at("/speculators_operator/estimated_bytes").asLong();
      System.out.printf(
          "tiny dataset on claims: %d bytes written, worker estimate %d (%.1f%%), operator upper"
              + " bound %d%n",
          bytes,
          estimated,
          100.0 * (estimated - bytes) / bytes,
          chats0.getStatus().storage.estimatedBytes);
      assertThat((double) estimated).isCloseTo(bytes, within(0.2 * bytes));
      assertThat(chats0.getStatus().storage.estimatedBytes).isGreaterThan(bytes);

      // a training whose template is the same data
      Resources.create(
          client,
          "apiVersion: speculators.dev/v1alpha1\nkind: SpeculatorTraining\nmetadata: {name: second}\n"
              + "spec:\n  engine: reference\n  dataset:\n    template:\n"
              + DATA.indent(4)
              + "  draft: {draftVocabSize: 160, tttSteps: 3}\n"
              + "  training: {epochs: 2, learningRate: 3.0e-3, maxSequenceLength: 1024}\n"
              + "  storage: {size: 1Gi, retentionPolicy: Delete}\n",
          SpeculatorTraining.class,
          c.namespace);
      HiddenStateDataset second = c.awaitReason(HiddenStateDataset.class, "second", "Reused");
      assertThat(second.getStatus().reusedFrom).isEqualTo("chats");
      Job trainer = c.sim.awaitJob(c.namespace, "second-train");
      run(c, kubelet, trainer);
      SpeculatorTraining done =
          c.await(
              SpeculatorTraining.class,
              "second",
              t -> t.getStatus() != null && t.getStatus().phase == TrainingPhase.SUCCEEDED);
      assertThat(c.sim.job(c.namespace, "second-datagen")).isNull();
      assertThat(
              client.batch().v1().jobs().inNamespace(c.namespace).list().getItems().stream()
                  .map(j -> j.getMetadata().getName())
                  .toList())
          .containsExactlyInAnyOrder("chats-datagen", "second-train");
      Path output =
          kubelet.claim(c.namespace, done.getStatus().results.claimName).resolve("second");
      assertThat(output.resolve("final/model.safetensors")).exists();
      assertThat(done.getStatus().results.valLoss).isNotNull();

      // the training's estimate against its output
      long trained = StorageCheck.bytesUnder(output);
      long trainEstimate = done.getStatus().storage.estimatedBytes;
      System.out.printf(
          "tiny training, 2 epochs: %d bytes written, estimate %d (%.1f%%)%n",
          trained, trainEstimate, 100.0 * (trainEstimate - trained) / trained);
      assertThat((double) trainEstimate).isCloseTo(trained, within(0.2 * trained));
      assertThat(operator.failures()).isZero();
      List<String> claims =
          client.persistentVolumeClaims().inNamespace(c.namespace).list().getItems().stream()
              .map(p -> p.getMetadata().getName())
              .toList();
      assertThat(claims).doesNotContain("second-hidden-states");
    }
  }

  private static void copyDir(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> s = Files.list(from)) {
      for (Path p : s.toList()) {
        Files.copy(p, to.resolve(p.getFileName()));
      }
    }
  }
}
