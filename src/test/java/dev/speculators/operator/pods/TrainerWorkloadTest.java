package dev.speculators.operator.pods;

import static dev.speculators.operator.pods.DatagenWorkloadTest.flag;
import static dev.speculators.operator.pods.DatagenWorkloadTest.volume;
import static org.assertj.core.api.Assertions.assertThat;

import dev.speculators.api.SpeculatorTraining;
import dev.speculators.api.common.ModelSource;
import dev.speculators.operator.kube.WorkloadSettings;
import dev.speculators.operator.testing.Resources;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainerWorkloadTest {
  private static final WorkloadSettings SETTINGS = WorkloadSettings.defaults();

  static SpeculatorTraining training(String spec) {
    return Resources.parse(
        """
        apiVersion: speculators.dev/v1alpha1
        kind: SpeculatorTraining
        metadata: {name: eagle}
        spec:
        """
            + spec.indent(2),
        SpeculatorTraining.class,
        "team-a");
  }

  static ModelSource hf(String id) {
    ModelSource m = new ModelSource();
    m.hfId = id;
    return m;
  }

  static TrainerWorkload workload(SpeculatorTraining t, ModelSource target) {
    return new TrainerWorkload(
        t,
        new TrainerWorkload.DataLocation("ds-claim", "datasets/ds1"),
        target,
        StoragePlan.of(t, t.getSpec().storage, "speculator", "100Gi"),
        SETTINGS);
  }

  @Test
  void theTrainerGetsItsGpusTheDatasetReadOnlyAndAWritableOutput() {
    SpeculatorTraining t =
        training(
            """
        dataset: {ref: {name: ds1}}
        draft: {draftVocabSize: 8192, numLayers: 2, tttSteps: 4, tttInputs: groundTruth, normBeforeResidual: false}
        training: {epochs: 5, learningRate: 3.0e-5, scheduler: cosine, warmupRatio: 0.02, seed: 3}
        resources: {gpus: 1, requests: {memory: 64Gi}, limits: {memory: 96Gi}}
        storage: {claimName: out, subPath: trainings/eagle}
        queueName: q1
        podTemplate: {serviceAccountName: trainer}
        """);
    Job job = workload(t, hf("meta-llama/Llama-3.1-8B-Instruct")).job();
    assertThat(job.getMetadata().getName()).isEqualTo("eagle-train");
    assertThat(job.getSpec().getCompletionMode()).isNull();
    assertThat(job.getSpec().getBackoffLimit()).isEqualTo(3);
    assertThat(job.getMetadata().getLabels()).containsEntry("kueue.x-k8s.io/queue-name", "q1");
    var rules = job.getSpec().getPodFailurePolicy().getRules();
    assertThat(rules).extracting(r -> r.getAction()).containsExactly("Ignore", "Ignore", "FailJob");
    assertThat(rules.get(1).getOnExitCodes().getValues())
        .as("SIGTERM: checkpoint saved, retried")
        .containsExactly(143);
    assertThat(rules.get(1).getOnExitCodes().getContainerName()).isEqualTo("train");

    PodSpec pod = job.getSpec().getTemplate().getSpec();
    assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(600L);
    assertThat(pod.getServiceAccountName()).isEqualTo("trainer");
    assertThat(pod.getInitContainers()).isNullOrEmpty();
    Container c = pod.getContainers().get(0);
    assertThat(c.getName()).isEqualTo("train");
    assertThat(c.getImage()).isEqualTo(SETTINGS.trainerImage());
    assertThat(c.getResources().getLimits())
        .containsEntry("nvidia.com/gpu", new Quantity("1"))
        .containsEntry("memory", new Quantity("96Gi"));
    assertThat(c.getResources().getRequests())
        .containsEntry("nvidia.com/gpu", new Quantity("1"))
        .containsEntry("memory", new Quantity("64Gi"));
    assertThat(c.getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getMountPath()).isEqualTo("/dataset");
              assertThat(m.getSubPath()).isEqualTo("datasets/ds1");
              assertThat(m.getReadOnly()).isTrue();
            });
    assertThat(c.getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getMountPath()).isEqualTo("/output");
              assertThat(m.getReadOnly()).isNull();
            });
    assertThat(volume(pod, "dataset").getPersistentVolumeClaim().getClaimName())
        .isEqualTo("ds-claim");
    assertThat(volume(pod, "output").getPersistentVolumeClaim().getClaimName()).isEqualTo("out");
    assertThat(c.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();

    List<String> a = c.getArgs();
    assertThat(a.get(0)).isEqualTo("train");
    assertThat(flag(a, "--verifier")).isEqualTo("meta-llama/Llama-3.1-8B-Instruct");
    assertThat(flag(a, "--verifier-name")).isEqualTo("meta-llama/Llama-3.1-8B-Instruct");
    assertThat(flag(a, "--data")).isEqualTo("/dataset");
    assertThat(flag(a, "--output")).isEqualTo("/output/trainings/eagle");
    assertThat(flag(a, "--epochs")).isEqualTo("5");
    assertThat(flag(a, "--lr")).isEqualTo("3.0E-5");
    assertThat(flag(a, "--scheduler-type")).isEqualTo("cosine");
    assertThat(flag(a, "--scheduler-warmup-ratio")).isEqualTo("0.02");
    assertThat(a).doesNotContain("--scheduler-warmup-steps", "--no-train-lm-head");
    assertThat(flag(a, "--ttt-steps")).isEqualTo("4");
    assertThat(flag(a, "--validation-ttt-steps")).isEqualTo("4");
    assertThat(flag(a, "--ttt-inputs")).isEqualTo("ground-truth");
    assertThat(flag(a, "--num-layers")).isEqualTo("2");
    assertThat(flag(a, "--draft-vocab-size")).isEqualTo("8192");
    assertThat(a).contains("--no-norm-before-residual");
    assertThat(flag(a, "--seed")).isEqualTo("3");
    assertThat(flag(a, "--validation-ratio")).isEqualTo("0.1");
    assertThat(flag(a, "--log-every")).isEqualTo("10");
    assertThat(flag(a, "--total-seq-len")).isEqualTo("8192");
  }

  @Test
  void aHubRevisionReachesTheTrainerAsIdAtRevision() {
    SpeculatorTraining t =
        training(
            """
        dataset: {path: {claimName: data, path: pre/generated}}
        targetModel: {hfId: Qwen/Qwen3-8B, revision: a1b2c3}
        """);
    ModelSource target = t.getSpec().targetModel;
    List<String> a =
        workload(t, target)
            .job()
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0)
            .getArgs();
    assertThat(flag(a, "--verifier")).isEqualTo("Qwen/Qwen3-8B@a1b2c3");
    assertThat(flag(a, "--verifier-name")).isEqualTo("Qwen/Qwen3-8B");
  }

  @Test
  void aVerifierOnAPvcIsMountedReadOnlyAndTheReferenceEngineNeedsNoGpu() {
    SpeculatorTraining t =
        training(
            """
        dataset: {path: {claimName: data, path: pre/generated}}
        targetModel: {pvc: {claimName: models, subPath: Qwen/Qwen3-8B}}
        engine: reference
        """);
    ModelSource target = t.getSpec().targetModel;
    Job job = workload(t, target).job();
    Container c = job.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getImage()).isEqualTo(SETTINGS.workerImage());
    assertThat(c.getResources().getLimits()).doesNotContainKey("nvidia.com/gpu");
    assertThat(c.getResources().getRequests()).doesNotContainKey("nvidia.com/gpu");
    assertThat(flag(c.getArgs(), "--verifier")).isEqualTo("/models/target");
    assertThat(flag(c.getArgs(), "--verifier-name")).isEqualTo("Qwen/Qwen3-8B");
    assertThat(c.getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getMountPath()).isEqualTo("/models/target");
              assertThat(m.getReadOnly()).isTrue();
            });
  }

  @Test
  void theTrainersMemoryFollowsTheDatasetsShapeAndTheResourcesOwnValuesWin() {
    SpeculatorTraining t =
        training(
            """
        dataset: {ref: {name: ds1}}
        training: {maxSequenceLength: 4096}
        """);
    ModelSource target = hf("org/target");
    StoragePlan out = StoragePlan.of(t, t.getSpec().storage, "speculator", "100Gi");
    // a 70B verifier as the dataset reported it: H 8192, 4 layers captured, V 128256
    Container wide =
        new TrainerWorkload(
                t,
                new TrainerWorkload.DataLocation("c", "d", 8192, 4, 128256),
                target,
                out,
                SETTINGS)
            .job()
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    assertThat(wide.getResources().getRequests())
        .isEqualTo(
            new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder(
                    ContainerResources.trainer(
                        new ContainerResources.TrainerShape(8192, 4, 128256, 4096)))
                .addToRequests("nvidia.com/gpu", new Quantity("1"))
                .build()
                .getRequests());
    Container unknown =
        workload(t, target).job().getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(Quantity.getAmountInBytes(wide.getResources().getRequests().get("memory")))
        .as("wider rows need more host memory than the default shape")
        .isGreaterThan(
            Quantity.getAmountInBytes(unknown.getResources().getRequests().get("memory")));

    SpeculatorTraining own =
        training(
            """
        dataset: {ref: {name: ds1}}
        resources: {gpus: 1, requests: {memory: 64Gi}, limits: {cpu: "8"}}
        """);
    Container c =
        workload(own, target).job().getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getResources().getRequests())
        .containsEntry("memory", new Quantity("64Gi"))
        .containsEntry("cpu", new Quantity("4"))
        .containsEntry("nvidia.com/gpu", new Quantity("1"));
    assertThat(c.getResources().getLimits()).containsEntry("cpu", new Quantity("8"));
    assertThat(Quantity.getAmountInBytes(c.getResources().getLimits().get("memory")))
        .as("the default limit is raised to the request")
        .isGreaterThanOrEqualTo(Quantity.getAmountInBytes(new Quantity("64Gi")));
  }
}
