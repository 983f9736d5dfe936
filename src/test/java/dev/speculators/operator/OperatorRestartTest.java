package dev.speculators.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.speculators.api.DatasetPhase;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.api.SpeculatorTraining;
import dev.speculators.api.TrainingPhase;
import dev.speculators.operator.kube.WorkloadSettings;
import dev.speculators.operator.testing.Cluster;
import dev.speculators.operator.testing.Resources;
import dev.speculators.operator.testing.Summaries;
import dev.speculators.operator.testing.TestOperator;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Operator restarts at any point: replicas are stopped and started against one mock API server
 * while the cluster (the test) moves the workloads on. A restart creates no second Job, ConfigMap
 * or PVC, loses no status, and repeats no phase Event.
 */
@EnableKubernetesMockClient(crud = true)
class OperatorRestartTest {
  static KubernetesMockServer server;
  static KubernetesClient client;

  private static final WorkloadSettings SETTINGS =
      WorkloadSettings.defaults().withProgressLogInterval(Duration.ZERO);

  @BeforeAll
  static void crds() {
    TestOperator.installCrds(client);
  }

  @Test
  void restartsMidPhaseCreateNoDuplicatesAndLoseNoStatus() {
    Cluster c = new Cluster(client, "restart");
    Job datagen;
    try (TestOperator first = TestOperator.start(client, SETTINGS)) {
      Resources.create(
          client,
          """
          apiVersion: speculators.dev/v1alpha1
          kind: SpeculatorTraining
          metadata: {name: tr}
          spec:
            dataset:
              template:
                targetModel: {hfId: org/target}
                datasets: [{preset: sharegpt}]
                layerIds: [2, 4, 5, 8]
                shards: 3
            training: {epochs: 2}
          """,
          SpeculatorTraining.class,
          c.namespace);
      datagen = c.sim.awaitJob(c.namespace, "tr-datagen");
      c.sim.start(datagen);
      c.sim.succeedIndex(datagen, "datagen", 0, Summaries.datagen(0, 3, 10, 100, 1000, false));
      c.await(
          HiddenStateDataset.class,
          "tr",
          d ->
              d.getStatus() != null
                  && d.getStatus().progress != null
                  && Integer.valueOf(1).equals(d.getStatus().progress.shardsSucceeded));
    }

    // while no operator runs, a shard finishes
    c.sim.succeedIndex(datagen, "datagen", 1, Summaries.datagen(1, 3, 10, 100, 1000, false));

    try (TestOperator second = TestOperator.start(client, SETTINGS)) {
      HiddenStateDataset two =
          c.await(
              HiddenStateDataset.class,
              "tr",
              d ->
                  d.getStatus().progress != null
                      && Integer.valueOf(2).equals(d.getStatus().progress.shardsSucceeded));
      assertThat(two.getStatus().phase).isEqualTo(DatasetPhase.GENERATING);
      assertThat(two.getStatus().progress.samples).isEqualTo(20L);
      c.sim.succeedIndex(datagen, "datagen", 2, Summaries.datagen(2, 3, 10, 100, 1000, true));
      c.sim.awaitJob(c.namespace, "tr-train");
    }

    // a third replica finds the trainer Job it would create and adopts it
    try (TestOperator third = TestOperator.start(client, SETTINGS)) {
      Job train = c.sim.awaitJob(c.namespace, "tr-train");
      c.sim.runToSuccess(train, "train", i -> Summaries.train(2, 1.5));
      SpeculatorTraining done =
          c.await(
              SpeculatorTraining.class,
              "tr",
              t -> t.getStatus() != null && t.getStatus().phase == TrainingPhase.SUCCEEDED);
      assertThat(done.getStatus().results.valLoss).isEqualTo(1.5);
      assertThat(third.failures()).isZero();
    }

    assertThat(c.sim.counts(c.namespace))
        .containsEntry("jobs", 2)
        .containsEntry("configmaps", 1)
        .containsEntry("pvcs", 2);
    assertThat(
            client.resources(HiddenStateDataset.class).inNamespace(c.namespace).list().getItems())
        .hasSize(1);
    assertThat(
            c.events("tr").stream()
                .filter(e -> e.getInvolvedObject().getKind().equals("HiddenStateDataset"))
                .map(Event::getReason))
        .containsExactly("Pending", "Generating", "Succeeded");
    assertThat(
            c.events("tr").stream()
                .filter(e -> e.getInvolvedObject().getKind().equals("SpeculatorTraining"))
                .map(Event::getReason))
        .containsExactly("WaitingForDataset", "Training", "Succeeded");
  }

  @Test
  void aResourceThatFinishedWhileNoOperatorRanGetsItsResultOnStart() {
    Cluster c = new Cluster(client, "restart-finished");
    Job job;
    try (TestOperator first = TestOperator.start(client, SETTINGS)) {
      Resources.create(
          client,
          """
          apiVersion: speculators.dev/v1alpha1
          kind: HiddenStateDataset
          metadata: {name: ds}
          spec:
            targetModel: {hfId: org/target}
            datasets: [{preset: sharegpt}]
            layerIds: [2, 4, 5, 8]
          """,
          HiddenStateDataset.class,
          c.namespace);
      job = c.sim.awaitJob(c.namespace, "ds-datagen");
    }
    c.sim.runToSuccess(job, "datagen", i -> Summaries.datagen(0, 1, 42, 4200, 42000, true));
    try (TestOperator second = TestOperator.start(client, SETTINGS)) {
      HiddenStateDataset done =
          c.await(
              HiddenStateDataset.class,
              "ds",
              d -> d.getStatus() != null && d.getStatus().phase == DatasetPhase.SUCCEEDED);
      assertThat(done.getStatus().results.samples).isEqualTo(42L);
    }
    assertThat(c.sim.counts(c.namespace)).containsEntry("jobs", 1);
  }
}
