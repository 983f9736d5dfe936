package dev.speculators.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.speculators.api.DatasetPhase;
import dev.speculators.api.EvalPhase;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.api.SpeculatorEval;
import dev.speculators.api.SpeculatorTraining;
import dev.speculators.api.TrainingPhase;
import dev.speculators.operator.testing.Cluster;
import dev.speculators.operator.testing.Resources;
import dev.speculators.operator.testing.Summaries;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The SpeculatorTraining controller on the mock API server: waiting for a referenced dataset,
 * creating one from a template, the trainer Job, live progress from the trainer's log, the owned
 * evaluation and the acceptance gate.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class TrainingControllerTest {
  @Inject KubernetesClient client;

  @KubernetesTestServer KubernetesServer server;

  private static final String DATASET =
      """
      apiVersion: speculators.dev/v1alpha1
      kind: HiddenStateDataset
      metadata: {name: ds1}
      spec:
        targetModel: {hfId: org/target, tokenSecretRef: {name: hf-token}}
        datasets: [{preset: ultrachat}]
        layerIds: [2, 4, 5, 8]
      """;

  private static final String TRAINING =
      """
      apiVersion: speculators.dev/v1alpha1
      kind: SpeculatorTraining
      metadata: {name: tr}
      spec:
        dataset: {ref: {name: ds1}}
        training: {epochs: 3}
        resources: {gpus: 1}
      """;

  private static final String WITH_TEMPLATE =
      """
      apiVersion: speculators.dev/v1alpha1
      kind: SpeculatorTraining
      metadata: {name: e2e}
      spec:
        dataset:
          template:
            targetModel: {hfId: org/target}
            datasets: [{preset: sharegpt}]
            layerIds: [2, 4, 5, 8]
            shards: 2
        training: {epochs: 2}
        evaluation:
          datasets: ['prompt_tokens=128,output_tokens=64']
          baseline: true
        acceptanceGate: {minMeanAcceptanceLength: 1.5}
      """;

  private void succeedDataset(Cluster c, String name) {
    Job job = c.sim.awaitJob(c.namespace, name + "-datagen");
    int shards = job.getSpec().getCompletions();
    c.sim.runToSuccess(
        job, "datagen", i -> Summaries.datagen(i, shards, 100, 10_000, 100_000, i == shards - 1));
    c.await(
        HiddenStateDataset.class,
        name,
        d -> d.getStatus() != null && d.getStatus().phase == DatasetPhase.SUCCEEDED);
  }

  @Test
  void aReferencedDatasetIsAwaitedThenTheTrainerRunsOnItWithLiveProgress() {
    Cluster c = new Cluster(client, "tr-ref");
    Resources.create(client, TRAINING, SpeculatorTraining.class, c.namespace);
    SpeculatorTraining missing = c.awaitReason(SpeculatorTraining.class, "tr", "DatasetNotFound");
    assertThat(missing.getStatus().phase).isEqualTo(TrainingPhase.WAITING_FOR_DATASET);
    assertThat(Cluster.condition(missing.getStatus(), "Stalled")).isEqualTo("True");
    assertThat(c.awaitEvent("tr", "DatasetNotFound").getType()).isEqualTo("Warning");

    Resources.create(client, DATASET, HiddenStateDataset.class, c.namespace);
    SpeculatorTraining waiting = c.awaitReason(SpeculatorTraining.class, "tr", "WaitingForDataset");
    assertThat(Cluster.condition(waiting.getStatus(), "Stalled")).isEqualTo("False");
    assertThat(waiting.getStatus().message).contains("HiddenStateDataset ds1");
    assertThat(c.sim.job(c.namespace, "tr-train")).isNull();

    succeedDataset(c, "ds1");
    Job job = c.sim.awaitJob(c.namespace, "tr-train");
    Container train = job.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(train.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("1"));
    assertThat(train.getArgs())
        .containsSequence("--verifier", "org/target")
        .containsSequence("--output", "/output/tr")
        .containsSequence("--epochs", "3");
    assertThat(train.getEnv())
        .filteredOn(e -> e.getName().equals("HF_TOKEN"))
        .singleElement()
        .satisfies(
            e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("hf-token"));
    assertThat(job.getSpec().getTemplate().getSpec().getVolumes())
        .anySatisfy(
            v -> {
              assertThat(v.getName()).isEqualTo("dataset");
              assertThat(v.getPersistentVolumeClaim().getClaimName())
                  .isEqualTo("ds1-hidden-states");
            });
    assertThat(train.getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getName()).isEqualTo("dataset");
              assertThat(m.getSubPath()).isEqualTo("ds1");
              assertThat(m.getReadOnly()).isTrue();
            });

    Pod pod = c.sim.createPod(job, null);
    server
        .expect()
        .get()
        .withPath(
            "/api/v1/namespaces/tr-ref/pods/"
                + pod.getMetadata().getName()
                + "/log?pretty=false&container=train&tailLines=200&limitBytes=65536")
        .andReturn(
            200,
            "epoch 2/3 step 10/50 loss 3.1\n"
                + "PROGRESS {\"kind\":\"train\",\"epoch\":2,\"epochs\":3,\"step\":10,\"stepsPerEpoch\":50,\"loss\":3.1}\n"
                + "epoch 2/3 step 11/50 loss 3.0\n")
        .always();
    c.sim.running(pod);
    SpeculatorTraining training =
        c.await(
            SpeculatorTraining.class,
            "tr",
            t ->
                t.getStatus().progress != null
                    && Integer.valueOf(2).equals(t.getStatus().progress.epoch));
    assertThat(training.getStatus().phase).isEqualTo(TrainingPhase.TRAINING);
    assertThat(training.getStatus().progress.summary).isEqualTo("epoch 2/3 step 10/50");
    assertThat(training.getStatus().condition("Ready").orElseThrow().getReason())
        .isEqualTo("Training");

    c.sim.succeed(job, "train", Summaries.train(3, 2.25));
    SpeculatorTraining done =
        c.await(
            SpeculatorTraining.class, "tr", t -> t.getStatus().phase == TrainingPhase.SUCCEEDED);
    assertThat(done.getStatus().results.valLoss).isEqualTo(2.25);
    assertThat(done.getStatus().results.fullAcc).containsExactly(0.7, 0.5, 0.3);
    assertThat(done.getStatus().results.finalPath).isEqualTo("tr/final");
    assertThat(done.getStatus().results.checkpointPath).isEqualTo("tr/checkpoints/2");
    assertThat(done.getStatus().results.claimName).isEqualTo("tr-speculator");
    assertThat(done.getStatus().results.bestEpoch).isEqualTo(2);
    assertThat(done.getStatus().results.maxPositionEmbeddings).isEqualTo(131072);
    assertThat(done.getStatus().results.missingSummary).isNull();
    assertThat(done.getStatus().progress.summary).isEqualTo("epoch 3/3");
    assertThat(Cluster.condition(done.getStatus(), "Ready")).isEqualTo("True");
    assertThat(c.events("tr"))
        .extracting(e -> e.getReason())
        .containsSubsequence("DatasetNotFound", "Training", "Succeeded");
  }

  @Test
  void oneResourceCreatesItsDatasetTrainsAndPassesTheAcceptanceGate() {
    Cluster c = new Cluster(client, "tr-e2e");
    SpeculatorTraining t =
        Resources.create(client, WITH_TEMPLATE, SpeculatorTraining.class, c.namespace);
    HiddenStateDataset owned = c.await(HiddenStateDataset.class, "e2e", d -> true);
    assertThat(owned.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getUid()).isEqualTo(t.getMetadata().getUid());
              assertThat(r.getKind()).isEqualTo("SpeculatorTraining");
            });
    assertThat(owned.getSpec().shards).isEqualTo(2);
    assertThat(
            c.awaitReason(SpeculatorTraining.class, "e2e", "WaitingForDataset")
                .getStatus()
                .children
                .dataset)
        .isEqualTo("e2e");

    succeedDataset(c, "e2e");
    c.sim.runToSuccess(
        c.sim.awaitJob(c.namespace, "e2e-train"), "train", i -> Summaries.train(2, 2.0));
    SpeculatorEval eval = c.await(SpeculatorEval.class, "e2e", e -> true);
    assertThat(eval.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(r -> assertThat(r.getUid()).isEqualTo(t.getMetadata().getUid()));
    assertThat(eval.getSpec().speculator.trainingRef.name).isEqualTo("e2e");
    assertThat(eval.getSpec().targetModel.hfId).isEqualTo("org/target");
    assertThat(c.awaitReason(SpeculatorTraining.class, "e2e", "Evaluating").getStatus().phase)
        .isEqualTo(TrainingPhase.EVALUATING);

    Job evalJob = c.sim.awaitJob(c.namespace, "e2e-eval");
    var pod = evalJob.getSpec().getTemplate().getSpec();
    assertThat(pod.getInitContainers())
        .extracting(Container::getName)
        .containsExactly("vllm", "vllm-baseline");
    assertThat(pod.getInitContainers().get(0).getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getMountPath()).isEqualTo("/speculator");
              assertThat(m.getSubPath()).isEqualTo("e2e/final");
            });
    assertThat(pod.getVolumes())
        .anySatisfy(
            v -> {
              assertThat(v.getName()).isEqualTo("speculator");
              assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("e2e-speculator");
              assertThat(v.getPersistentVolumeClaim().getReadOnly()).isTrue();
            });
    c.sim.runToSuccess(evalJob, "eval", i -> Summaries.eval(2.4));
    c.await(
        SpeculatorEval.class,
        "e2e",
        e -> e.getStatus() != null && e.getStatus().phase == EvalPhase.SUCCEEDED);
    SpeculatorTraining done =
        c.await(
            SpeculatorTraining.class, "e2e", x -> x.getStatus().phase == TrainingPhase.SUCCEEDED);
    assertThat(done.getStatus().results.meanAcceptanceLength).isEqualTo(2.4);
    assertThat(done.getStatus().message).contains("mean acceptance length 2.400", "gate 1.5");
    assertThat(done.getStatus().children.evaluation).isEqualTo("e2e");
    assertThat(c.sim.counts(c.namespace)).containsEntry("jobs", 3);
  }

  @Test
  void theAcceptanceGateDecidesReadyAndAChangedGateIsAppliedAtOnce() {
    Cluster c = new Cluster(client, "tr-gate");
    Resources.create(client, WITH_TEMPLATE, SpeculatorTraining.class, c.namespace);
    succeedDataset(c, "e2e");
    c.sim.runToSuccess(
        c.sim.awaitJob(c.namespace, "e2e-train"), "train", i -> Summaries.train(2, 2.0));
    c.sim.runToSuccess(c.sim.awaitJob(c.namespace, "e2e-eval"), "eval", i -> Summaries.eval(1.31));
    SpeculatorTraining below =
        c.awaitReason(SpeculatorTraining.class, "e2e", "AcceptanceBelowGate");
    assertThat(below.getStatus().phase).isEqualTo(TrainingPhase.FAILED);
    assertThat(Cluster.condition(below.getStatus(), "Failed")).isEqualTo("True");
    assertThat(below.getStatus().message)
        .contains("1.310 is below the gate 1.5", "e2e-speculator:e2e/final");
    assertThat(below.getStatus().results.meanAcceptanceLength).isEqualTo(1.31);

    below.getSpec().acceptanceGate.minMeanAcceptanceLength = 1.25;
    client.resource(below).update();
    SpeculatorTraining passed =
        c.await(
            SpeculatorTraining.class, "e2e", x -> x.getStatus().phase == TrainingPhase.SUCCEEDED);
    assertThat(passed.getStatus().observedGeneration).isEqualTo(2L);
    assertThat(Cluster.condition(passed.getStatus(), "Ready")).isEqualTo("True");
    assertThat(c.sim.counts(c.namespace)).as("nothing re-run").containsEntry("jobs", 3);
  }

  @Test
  void aFailedDatasetStallsTheTrainingAndAFailedEvaluationFailsIt() {
    Cluster c = new Cluster(client, "tr-fail");
    Resources.create(client, DATASET, HiddenStateDataset.class, c.namespace);
    Resources.create(client, TRAINING, SpeculatorTraining.class, c.namespace);
    Job job = c.sim.awaitJob(c.namespace, "ds1-datagen");
    List<Pod> pods = c.sim.start(job);
    c.sim.failPod(
        pods.get(0),
        job,
        "datagen",
        1,
        "Error",
        "{\"kind\":\"datagen\",\"error\":\"no conversations\"}");
    c.sim.failJob(job, "BackoffLimitExceeded", "Job has reached the specified backoff limit");
    SpeculatorTraining stalled = c.awaitReason(SpeculatorTraining.class, "tr", "DatasetFailed");
    assertThat(stalled.getStatus().message).contains("no conversations");
    assertThat(stalled.getStatus().phase).isEqualTo(TrainingPhase.WAITING_FOR_DATASET);

    Cluster e = new Cluster(client, "tr-evalfail");
    Resources.create(client, WITH_TEMPLATE, SpeculatorTraining.class, e.namespace);
    succeedDataset(e, "e2e");
    e.sim.runToSuccess(
        e.sim.awaitJob(e.namespace, "e2e-train"), "train", i -> Summaries.train(2, 2.0));
    Job evalJob = e.sim.awaitJob(e.namespace, "e2e-eval");
    List<Pod> evalPods = e.sim.start(evalJob);
    e.sim.failPod(
        evalPods.get(0),
        evalJob,
        "eval",
        1,
        "Error",
        "{\"kind\":\"eval\",\"error\":\"GuideLLM exited 1\"}");
    e.sim.failJob(evalJob, "BackoffLimitExceeded", "Job has reached the specified backoff limit");
    SpeculatorTraining failed = e.awaitReason(SpeculatorTraining.class, "e2e", "EvaluationFailed");
    assertThat(failed.getStatus().phase).isEqualTo(TrainingPhase.FAILED);
    assertThat(failed.getStatus().message).contains("GuideLLM exited 1");
    assertThat(failed.getStatus().results.finalPath)
        .as("the speculator is kept")
        .isEqualTo("e2e/final");
  }
}
