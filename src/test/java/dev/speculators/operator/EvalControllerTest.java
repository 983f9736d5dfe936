package dev.speculators.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.speculators.api.EvalPhase;
import dev.speculators.api.SpeculatorEval;
import dev.speculators.api.SpeculatorTraining;
import dev.speculators.api.SpeculatorTrainingStatus;
import dev.speculators.api.TrainingPhase;
import dev.speculators.api.TrainingResults;
import dev.speculators.operator.testing.Cluster;
import dev.speculators.operator.testing.Resources;
import dev.speculators.operator.testing.Summaries;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** The SpeculatorEval controller on the mock API server. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class EvalControllerTest {
  @Inject KubernetesClient client;

  @Test
  void anEvalOfATrainingWaitsForItsFinalSpeculatorAndReportsAcceptance() {
    Cluster c = new Cluster(client, "ev-ref");
    Resources.create(
        client,
        """
        apiVersion: speculators.dev/v1alpha1
        kind: SpeculatorEval
        metadata: {name: ev}
        spec:
          speculator: {trainingRef: {name: tr}}
          datasets: [RedHatAI/speculator_benchmarks:math_reasoning.jsonl]
          numSpeculativeTokens: 4
          vllm: {tensorParallelSize: 2, maxModelLen: 8192}
        """,
        SpeculatorEval.class,
        c.namespace);
    SpeculatorEval missing = c.awaitReason(SpeculatorEval.class, "ev", "TrainingNotFound");
    assertThat(missing.getStatus().phase).isEqualTo(EvalPhase.PENDING);
    assertThat(Cluster.condition(missing.getStatus(), "Stalled")).isEqualTo("True");

    // a training on a pre-generated dataset, still training
    SpeculatorTraining t =
        Resources.create(
            client,
            """
        apiVersion: speculators.dev/v1alpha1
        kind: SpeculatorTraining
        metadata: {name: tr}
        spec:
          dataset: {path: {claimName: data, path: sharegpt-llama}}
          targetModel: {hfId: org/target}
          storage: {claimName: work, subPath: trainings/tr}
        """,
            SpeculatorTraining.class,
            c.namespace);
    assertThat(c.awaitReason(SpeculatorEval.class, "ev", "WaitingForTraining").getStatus().message)
        .contains("SpeculatorTraining tr");
    Job trainJob = c.sim.awaitJob(c.namespace, "tr-train");
    assertThat(trainJob.getSpec().getTemplate().getSpec().getVolumes())
        .anySatisfy(
            v -> {
              assertThat(v.getName()).isEqualTo("dataset");
              assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("data");
            });
    assertThat(c.sim.job(c.namespace, "ev-eval")).isNull();

    c.sim.runToSuccess(trainJob, "train", i -> Summaries.train(10, 1.9));
    c.await(
        SpeculatorTraining.class,
        "tr",
        x -> x.getStatus() != null && x.getStatus().phase == TrainingPhase.SUCCEEDED);
    Job job = c.sim.awaitJob(c.namespace, "ev-eval");
    var pod = job.getSpec().getTemplate().getSpec();
    Container vllm = pod.getInitContainers().get(0);
    assertThat(vllm.getArgs()).containsSequence("vllm", "org/target");
    assertThat(vllm.getArgs())
        .anySatisfy(
            a ->
                assertThat(a)
                    .contains(
                        "\"model\":\"/speculator\"",
                        "\"num_speculative_tokens\":4",
                        "\"max_model_len\":8192",
                        "\"method\":\"eagle3\""));
    assertThat(vllm.getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getMountPath()).isEqualTo("/speculator");
              assertThat(m.getSubPath()).isEqualTo("trainings/tr/final");
            });
    assertThat(pod.getVolumes())
        .anySatisfy(
            v -> {
              assertThat(v.getName()).isEqualTo("speculator");
              assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("work");
            });

    c.sim.start(job);
    assertThat(c.awaitReason(SpeculatorEval.class, "ev", "Evaluating").getStatus().phase)
        .isEqualTo(EvalPhase.RUNNING);
    c.sim.succeed(job, "eval", Summaries.eval(2.75));
    SpeculatorEval done =
        c.await(SpeculatorEval.class, "ev", e -> e.getStatus().phase == EvalPhase.SUCCEEDED);
    var r = done.getStatus().results;
    assertThat(r.meanAcceptanceLength).isEqualTo(2.75);
    assertThat(r.perPositionAcceptance).containsExactly(0.7, 0.5, 0.3);
    assertThat(r.conditionalAcceptance).containsExactly(0.7, 0.714, 0.6);
    assertThat(r.drafts).isEqualTo(1000L);
    assertThat(r.acceptedTokens).isEqualTo(1500L);
    assertThat(r.outputTokensPerSecond).isEqualTo(812.5);
    assertThat(r.speedup).isEqualTo(2.03);
    assertThat(r.ttftMsMedian).isEqualTo(45.0);
    assertThat(r.claimName).isEqualTo("ev-eval-results");
    assertThat(r.resultsPath).isEqualTo("ev/results.json");
    assertThat(done.getStatus().progress.summary).isEqualTo("1/1 benchmarks");
    assertThat(done.getStatus().message).contains("mean acceptance length 2.750", "speedup 2.03x");
  }

  @Test
  void anEvalFollowsItsTrainingsStatusFailedOrFinished() {
    Cluster c = new Cluster(client, "ev-trfail");
    SpeculatorTraining t =
        Resources.create(
            client,
            """
        apiVersion: speculators.dev/v1alpha1
        kind: SpeculatorTraining
        metadata: {name: tr}
        spec:
          dataset: {ref: {name: nothing-here}}
        """,
            SpeculatorTraining.class,
            c.namespace);
    // a training whose status says it failed (as after a trainer that ran out of retries)
    SpeculatorTraining stored = c.await(SpeculatorTraining.class, "tr", x -> x.getStatus() != null);
    Resources.create(
        client,
        """
        apiVersion: speculators.dev/v1alpha1
        kind: SpeculatorEval
        metadata: {name: ev}
        spec:
          speculator: {trainingRef: {name: tr}}
          targetModel: {hfId: org/target}
          datasets: ['prompt_tokens=128,output_tokens=64']
        """,
        SpeculatorEval.class,
        c.namespace);
    assertThat(c.awaitReason(SpeculatorEval.class, "ev", "WaitingForTraining").getStatus().message)
        .contains("WaitingForDataset");
    assertThat(stored.getStatus().results).isNull();
    // a training that failed without a speculator (as after a trainer out of retries)
    SpeculatorTrainingStatus s = stored.getStatus();
    s.phase = TrainingPhase.FAILED;
    s.message = "Job tr-train failed (BackoffLimitExceeded)";
    stored = client.resource(stored).updateStatus();
    assertThat(c.awaitReason(SpeculatorEval.class, "ev", "TrainingFailed").getStatus().message)
        .contains("BackoffLimitExceeded");
    // a training whose status names its final directory: the eval runs on it
    s = stored.getStatus();
    s.results = new TrainingResults();
    s.results.claimName = "out";
    s.results.finalPath = "tr/final";
    s.phase = TrainingPhase.EVALUATING;
    client.resource(stored).updateStatus();
    Job job = c.sim.awaitJob(c.namespace, "ev-eval");
    assertThat(job.getSpec().getTemplate().getSpec().getVolumes())
        .anySatisfy(
            v ->
                assertThat(
                        v.getPersistentVolumeClaim() != null
                            && "out".equals(v.getPersistentVolumeClaim().getClaimName()))
                    .isTrue());
  }

  @Test
  void aMaxModelLenAboveTheSpeculatorsContextStallsTheEvalBeforeVllmWouldRefuseIt() {
    Cluster c = new Cluster(client, "ev-maxlen");
    SpeculatorTraining t =
        Resources.create(
            client,
            """
        apiVersion: speculators.dev/v1alpha1
        kind: SpeculatorTraining
        metadata: {name: tr}
        spec:
          dataset: {ref: {name: nothing-here}}
        """,
            SpeculatorTraining.class,
            c.namespace);
    SpeculatorTraining stored = c.await(SpeculatorTraining.class, "tr", x -> x.getStatus() != null);
    SpeculatorTrainingStatus s = stored.getStatus();
    s.results = new TrainingResults();
    s.results.claimName = "out";
    s.results.finalPath = "tr/final";
    s.results.maxPositionEmbeddings = 4096;
    s.phase = TrainingPhase.SUCCEEDED;
    client.resource(stored).updateStatus();
    Resources.create(
        client,
        """
        apiVersion: speculators.dev/v1alpha1
        kind: SpeculatorEval
        metadata: {name: ev}
        spec:
          speculator: {trainingRef: {name: tr}}
          targetModel: {hfId: org/target}
          datasets: ['prompt_tokens=128,output_tokens=64']
          vllm: {maxModelLen: 8192}
        """,
        SpeculatorEval.class,
        c.namespace);
    SpeculatorEval stalled = c.awaitReason(SpeculatorEval.class, "ev", "InvalidSpec");
    assertThat(stalled.getStatus().message)
        .contains("vllm.maxModelLen 8192 exceeds max_position_embeddings 4096", "at most 4096");
    assertThat(Cluster.condition(stalled.getStatus(), "Stalled")).isEqualTo("True");
    assertThat(c.sim.job(c.namespace, "ev-eval")).as("no pod that vLLM would refuse").isNull();
  }
}
