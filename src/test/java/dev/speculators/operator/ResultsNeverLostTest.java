package dev.speculators.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.api.DatasetPhase;
import dev.speculators.api.EvalPhase;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.api.SpeculatorEval;
import dev.speculators.api.SpeculatorTraining;
import dev.speculators.api.TrainingPhase;
import dev.speculators.io.TerminationLog;
import dev.speculators.operator.testing.Cluster;
import dev.speculators.operator.testing.Resources;
import dev.speculators.operator.testing.Summaries;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A workload's results are never lost to the order in which the cluster reports a Job's completion
 * and its pods' final states (separate watches): the completion is not final until the worker's
 * summary was read, whichever arrives first, and a summary that can never be read (pod deleted,
 * empty or truncated termination message) is reported as such with what is known kept.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class ResultsNeverLostTest {
  @Inject KubernetesClient client;

  /** The lag between the two reports that lost a training's results on a real cluster. */
  private static final Duration LAG = Duration.ofMillis(1500);

  private static final String TRAINING =
      """
      apiVersion: speculators.dev/v1alpha1
      kind: SpeculatorTraining
      metadata: {name: pt}
      spec:
        dataset: {path: {claimName: data, path: sharegpt}}
        targetModel: {hfId: org/target}
        training: {epochs: 3}
      """;

  private static final String DATASET =
      """
      apiVersion: speculators.dev/v1alpha1
      kind: HiddenStateDataset
      metadata: {name: hs}
      spec:
        targetModel: {hfId: org/target}
        datasets: [{preset: ultrachat}]
        layerIds: [2, 4, 5, 8]
        shards: 2
      """;

  private static final String EVAL =
      """
      apiVersion: speculators.dev/v1alpha1
      kind: SpeculatorEval
      metadata: {name: ev}
      spec:
        targetModel: {hfId: org/target}
        speculator: {hfId: org/speculator}
        datasets: [RedHatAI/speculator_benchmarks:math_reasoning.jsonl]
      """;

  /** A training whose trainer pod runs. */
  private Pod runningTrainer(Cluster c) {
    Resources.create(client, TRAINING, SpeculatorTraining.class, c.namespace);
    Job job = c.sim.awaitJob(c.namespace, "pt-train");
    Pod pod = c.sim.running(c.sim.createPod(job, null));
    c.awaitReason(SpeculatorTraining.class, "pt", "Training");
    return pod;
  }

  private SpeculatorTraining training(Cluster c) {
    return c.get(SpeculatorTraining.class, "pt");
  }

  @Test
  void aTrainingCompletedBeforeItsPodReportedWaitsForTheSummary() {
    Cluster c = new Cluster(client, "lost-job-first");
    Pod pod = runningTrainer(c);
    Job job = c.sim.job(c.namespace, "pt-train");

    c.sim.completeJob(job);
    SpeculatorTraining collecting =
        c.awaitReason(SpeculatorTraining.class, "pt", "CollectingResults");
    assertThat(collecting.getStatus().phase).isEqualTo(TrainingPhase.TRAINING);
    assertThat(collecting.getStatus().results).isNull();
    assertThat(collecting.getStatus().message)
        .contains("Job pt-train succeeded", pod.getMetadata().getName());
    assertThat(Cluster.condition(collecting.getStatus(), "Reconciling")).isEqualTo("True");
    await()
        .during(LAG)
        .atMost(LAG.plusSeconds(5))
        .until(() -> training(c).getStatus().phase == TrainingPhase.TRAINING);

    c.sim.finish(pod, "train", 0, "Completed", Summaries.train(3, 2.25));
    SpeculatorTraining done =
        c.await(
            SpeculatorTraining.class, "pt", t -> t.getStatus().phase == TrainingPhase.SUCCEEDED);
    assertComplete(done);
  }

  @Test
  void aPodThatReportedBeforeItsJobCompletedGivesItsSummary() {
    Cluster c = new Cluster(client, "lost-pod-first");
    Pod pod = runningTrainer(c);
    Job job = c.sim.job(c.namespace, "pt-train");

    c.sim.finish(pod, "train", 0, "Completed", Summaries.train(3, 2.25));
    await()
        .during(LAG)
        .atMost(LAG.plusSeconds(5))
        .until(() -> training(c).getStatus().phase == TrainingPhase.TRAINING);
    c.sim.completeJob(job);
    SpeculatorTraining done =
        c.await(
            SpeculatorTraining.class, "pt", t -> t.getStatus().phase == TrainingPhase.SUCCEEDED);
    assertComplete(done);
  }

  private static void assertComplete(SpeculatorTraining done) {
    var r = done.getStatus().results;
    assertThat(done.getStatus().condition("Ready").orElseThrow().getReason())
        .isEqualTo("Succeeded");
    assertThat(r.trainLoss).isEqualTo(2.5);
    assertThat(r.valLoss).isEqualTo(2.25);
    assertThat(r.fullAcc).containsExactly(0.7, 0.5, 0.3);
    assertThat(r.condAcc).containsExactly(0.7, 0.71, 0.6);
    assertThat(r.bestEpoch).isEqualTo(2);
    assertThat(r.checkpointPath).isEqualTo("pt/checkpoints/2");
    assertThat(r.finalPath).isEqualTo("pt/final");
    assertThat(r.missingSummary).isNull();
    assertThat(done.getStatus().progress.summary).isEqualTo("epoch 3/3");
  }

  @Test
  void aTrainerPodDeletedBeforeItReportedLeavesTheSpeculatorAndSaysSo() {
    Cluster c = new Cluster(client, "lost-deleted");
    Pod pod = runningTrainer(c);
    c.sim.completeJob(c.sim.job(c.namespace, "pt-train"));
    c.awaitReason(SpeculatorTraining.class, "pt", "CollectingResults");
    c.sim.deletePod(pod);

    SpeculatorTraining done = c.awaitReason(SpeculatorTraining.class, "pt", "SummaryUnavailable");
    assertThat(done.getStatus().phase).isEqualTo(TrainingPhase.SUCCEEDED);
    assertThat(Cluster.condition(done.getStatus(), "Ready")).isEqualTo("True");
    assertThat(done.getStatus().results.finalPath)
        .as("final/ is on the volume")
        .isEqualTo("pt/final");
    assertThat(done.getStatus().results.claimName).isEqualTo("pt-speculator");
    assertThat(done.getStatus().results.valLoss).isNull();
    assertThat(done.getStatus().results.missingSummary).contains("deleted");
    assertThat(done.getStatus().message).contains("pt/final", "deleted");
    assertThat(c.awaitEvent("pt", "SummaryUnavailable").getType()).isEqualTo("Warning");
    assertThat(c.events("pt"))
        .filteredOn(e -> "Succeeded".equals(e.getReason()))
        .singleElement()
        .satisfies(e -> assertThat(e.getType()).isEqualTo("Normal"));
  }

  @Test
  void anEmptyOrTruncatedTerminationMessageIsReportedNotTakenForResults() throws Exception {
    Cluster empty = new Cluster(client, "lost-empty");
    Pod pod = runningTrainer(empty);
    empty.sim.finish(pod, "train", 0, "Completed", "");
    empty.sim.completeJob(empty.sim.job(empty.namespace, "pt-train"));
    SpeculatorTraining e = empty.awaitReason(SpeculatorTraining.class, "pt", "SummaryUnavailable");
    assertThat(e.getStatus().results.missingSummary).contains("empty termination message");
    assertThat(e.getStatus().results.finalPath).isEqualTo("pt/final");

    Cluster cut = new Cluster(client, "lost-truncated");
    Pod other = runningTrainer(cut);
    String summary = Summaries.train(3, 2.25);
    String big =
        summary.substring(0, summary.length() - 1) + ",\"pad\":\"" + "x".repeat(5000) + "\"}";
    cut.sim.finish(other, "train", 0, "Completed", big.substring(0, 4096));
    cut.sim.completeJob(cut.sim.job(cut.namespace, "pt-train"));
    SpeculatorTraining t = cut.awaitReason(SpeculatorTraining.class, "pt", "SummaryUnavailable");
    assertThat(t.getStatus().results.missingSummary).contains("truncated", "4096");
    assertThat(t.getStatus().results.valLoss).isNull();

    // what a worker writes itself when its summary does not fit
    Cluster big2 = new Cluster(client, "lost-oversized");
    Pod third = runningTrainer(big2);
    ObjectNode oversized = (ObjectNode) new ObjectMapper().readTree(big);
    big2.sim.finish(
        third,
        "train",
        0,
        "Completed",
        new String(TerminationLog.encode(oversized), StandardCharsets.UTF_8));
    big2.sim.completeJob(big2.sim.job(big2.namespace, "pt-train"));
    SpeculatorTraining o = big2.awaitReason(SpeculatorTraining.class, "pt", "SummaryUnavailable");
    assertThat(o.getStatus().results.missingSummary)
        .contains("summary of " + big.length() + " bytes", "4096");
    assertThat(o.getStatus().results.finalPath).isEqualTo("pt/final");
  }

  @Test
  void aDatasetCompletedBeforeItsShardsReportedSumsEveryShardOrSaysWhichIsMissing() {
    Cluster c = new Cluster(client, "lost-dataset");
    Resources.create(client, DATASET, HiddenStateDataset.class, c.namespace);
    Job job = c.sim.awaitJob(c.namespace, "hs-datagen");
    List<Pod> pods = c.sim.start(job);
    c.awaitReason(HiddenStateDataset.class, "hs", "Generating");

    c.sim.completeJob(job);
    HiddenStateDataset collecting =
        c.awaitReason(HiddenStateDataset.class, "hs", "CollectingResults");
    assertThat(collecting.getStatus().phase).isEqualTo(DatasetPhase.GENERATING);
    assertThat(collecting.getStatus().results).isNull();
    c.sim.finish(
        pods.get(0), "datagen", 0, "Completed", Summaries.datagen(0, 2, 100, 1000, 10, false));
    await()
        .during(LAG)
        .atMost(LAG.plusSeconds(5))
        .until(
            () ->
                c.get(HiddenStateDataset.class, "hs").getStatus().phase == DatasetPhase.GENERATING);
    c.sim.finish(
        pods.get(1), "datagen", 0, "Completed", Summaries.datagen(1, 2, 50, 700, 10, true));
    HiddenStateDataset done =
        c.await(HiddenStateDataset.class, "hs", d -> d.getStatus().phase == DatasetPhase.SUCCEEDED);
    assertThat(done.getStatus().results.samples).isEqualTo(150L);
    assertThat(done.getStatus().results.tokens).isEqualTo(1700L);
    assertThat(done.getStatus().results.missingSummary).isNull();

    // a shard whose pod is gone: the counts are unknown, not understated
    Cluster gone = new Cluster(client, "lost-shard");
    Resources.create(client, DATASET, HiddenStateDataset.class, gone.namespace);
    Job j = gone.sim.awaitJob(gone.namespace, "hs-datagen");
    List<Pod> p = gone.sim.start(j);
    gone.sim.finish(
        p.get(0), "datagen", 0, "Completed", Summaries.datagen(0, 2, 100, 1000, 10, false));
    gone.sim.deletePod(p.get(1));
    gone.sim.completeJob(j);
    HiddenStateDataset partial =
        gone.awaitReason(HiddenStateDataset.class, "hs", "SummaryUnavailable");
    assertThat(partial.getStatus().phase).isEqualTo(DatasetPhase.SUCCEEDED);
    assertThat(partial.getStatus().results.claimName).isEqualTo("hs-hidden-states");
    assertThat(partial.getStatus().results.samples).isNull();
    assertThat(partial.getStatus().results.missingSummary)
        .startsWith("shard 1:")
        .contains("deleted");
  }

  @Test
  void anEvalCompletedBeforeItsPodReportedWaitsForTheAcceptance() {
    Cluster c = new Cluster(client, "lost-eval");
    Resources.create(client, EVAL, SpeculatorEval.class, c.namespace);
    Job job = c.sim.awaitJob(c.namespace, "ev-eval");
    Pod pod = c.sim.start(job).get(0);
    c.awaitReason(SpeculatorEval.class, "ev", "Evaluating");

    c.sim.completeJob(job);
    SpeculatorEval collecting = c.awaitReason(SpeculatorEval.class, "ev", "CollectingResults");
    assertThat(collecting.getStatus().phase).isEqualTo(EvalPhase.RUNNING);
    c.sim.finish(pod, "eval", 0, "Completed", Summaries.eval(2.4));
    SpeculatorEval done =
        c.await(SpeculatorEval.class, "ev", e -> e.getStatus().phase == EvalPhase.SUCCEEDED);
    assertThat(done.getStatus().results.meanAcceptanceLength).isEqualTo(2.4);
    assertThat(done.getStatus().results.speedup).isEqualTo(2.03);
    assertThat(done.getStatus().condition("Ready").orElseThrow().getReason())
        .isEqualTo("Succeeded");
  }
}
