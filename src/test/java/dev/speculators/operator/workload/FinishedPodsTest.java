package dev.speculators.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.speculators.operator.testing.ClusterSim;
import dev.speculators.operator.testing.Summaries;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The observe step's read of a finished Job's pods from the API server when the informer cache lags
 * behind it: the cache holds the Job's completion and the pod still running, the server has the
 * pod's final state.
 */
@EnableKubernetesMockClient(crud = true)
class FinishedPodsTest {
  static KubernetesClient client;

  private static final FinishedPods.Shape TRAIN =
      new FinishedPods.Shape("train", "train", false, 1);

  private Job job(String ns, String name) {
    return client
        .batch()
        .v1()
        .jobs()
        .inNamespace(ns)
        .resource(
            new JobBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(ns)
                .endMetadata()
                .withNewSpec()
                .withCompletions(1)
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app.kubernetes.io/component", "train")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("train")
                .withImage("trainer")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
  }

  @Test
  void aSummaryTheCacheLacksIsReadFromTheApiServer() {
    ClusterSim sim = new ClusterSim(client);
    Job job = job("fp-lag", "t-train");
    Pod running = sim.running(sim.createPod(job, null));
    sim.finish(running, "train", 0, "Completed", Summaries.train(3, 2.0));
    job = sim.completeJob(job);

    List<Pod> cached = List.of(running);
    JobState state = JobState.of(job);
    assertThat(
            WorkerSummaries.of(state, cached, "train", "train", false, 1, Instant.now()).pending())
        .as("the cache alone")
        .isTrue();

    List<Pod> seen = FinishedPods.of(client, Optional.of(job), cached, TRAIN, Instant.now());
    WorkerSummaries.Read read =
        WorkerSummaries.of(state, seen, "train", "train", false, 1, Instant.now());
    assertThat(read.complete()).isTrue();
    assertThat(read.single().orElseThrow().get("valLoss").asDouble()).isEqualTo(2.0);
    assertThat(seen).hasSize(1);
  }

  @Test
  void aPodGoneFromTheApiServerIsKeptFromTheCache() {
    ClusterSim sim = new ClusterSim(client);
    Job job = job("fp-gone", "t-train");
    Pod finished =
        sim.finish(
            sim.running(sim.createPod(job, null)),
            "train",
            0,
            "Completed",
            Summaries.train(2, 1.0));
    sim.deletePod(finished);
    job = sim.completeJob(job);

    List<Pod> seen =
        FinishedPods.of(client, Optional.of(job), List.of(finished), TRAIN, Instant.now());
    assertThat(seen)
        .extracting(p -> p.getMetadata().getName())
        .containsExactly(finished.getMetadata().getName());
    assertThat(
            WorkerSummaries.of(JobState.of(job), seen, "train", "train", false, 1, Instant.now())
                .complete())
        .isTrue();
  }

  @Test
  void aRunningJobIsNotReadFromTheServer() {
    ClusterSim sim = new ClusterSim(client);
    Job job = job("fp-running", "t-train");
    Pod running = sim.running(sim.createPod(job, null));
    assertThat(FinishedPods.needsServer(JobState.of(job), List.of(running), TRAIN, Instant.now()))
        .isFalse();
  }
}
