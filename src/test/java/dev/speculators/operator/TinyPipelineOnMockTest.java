package dev.speculators.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.api.SpeculatorEval;
import dev.speculators.api.SpeculatorTraining;
import dev.speculators.api.common.ResourceStatus;
import dev.speculators.e2e.TinyPipeline;
import dev.speculators.gitops.HealthChecks;
import dev.speculators.operator.kube.WorkloadSettings;
import dev.speculators.operator.testing.Cluster;
import dev.speculators.operator.testing.ClusterSim;
import dev.speculators.operator.testing.Kubelet;
import dev.speculators.operator.testing.Resources;
import dev.speculators.operator.testing.TestOperator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kind harness' tiny pipeline under the real controllers, with the test as the cluster: the
 * resources of {@code e2e/kind/tiny-pipeline.yaml} go to fabric8's mock API server, and every pod
 * the operator creates is run for real by {@link Kubelet} (the worker commands in process, the
 * pod's volumes as directories, the tiny target from the worker image's files), its summary handed
 * back as the container's termination message. Data generation, training and evaluation with engine
 * reference run on the CPU; the statuses walk to Succeeded with the workers' numbers, and the
 * trained draft beats an untrained one. Along the way no tool reads a resource as failed, and the
 * operator never touches a spec.
 */
@EnableKubernetesMockClient(crud = true)
class TinyPipelineOnMockTest {
  static KubernetesMockServer server;
  static KubernetesClient client;

  private static final Duration BUDGET = Duration.ofMinutes(4);
  private static final Map<String, Class<? extends CustomResource<?, ?>>> KINDS =
      Map.of(
          "HiddenStateDataset", HiddenStateDataset.class,
          "SpeculatorTraining", SpeculatorTraining.class,
          "SpeculatorEval", SpeculatorEval.class);

  @BeforeAll
  static void crds() {
    TestOperator.installCrds(client);
  }

  @Test
  void datagenTrainAndEvalRunForRealUnderTheOperator(@TempDir Path volumes) throws Exception {
    Cluster c = new Cluster(client, "tiny");
    Kubelet kubelet =
        new Kubelet(
            client,
            volumes,
            Map.of(
                "/opt/speculators/examples/local", Path.of("examples", "local").toAbsolutePath()));
    WorkloadSettings settings = WorkloadSettings.defaults().withProgressLogInterval(Duration.ZERO);

    try (TestOperator operator = TestOperator.start(client, settings)) {
      Map<String, JsonNode> specs = new LinkedHashMap<>();
      for (JsonNode doc : Resources.admittedFile(TinyPipeline.FILE)) {
        HasMetadata created =
            client
                .resource(
                    Resources.as(client, doc, KINDS.get(doc.path("kind").asText()), c.namespace))
                .create();
        specs.put(created.getKind() + "/" + created.getMetadata().getName(), spec(created));
      }

      Set<String> ran = new HashSet<>();
      List<String> log = new ArrayList<>();
      Instant deadline = Instant.now().plus(BUDGET);
      while (!allReady(c)) {
        if (Instant.now().isAfter(deadline)) {
          fail(
              "the pipeline did not finish in "
                  + BUDGET
                  + "; ran "
                  + ran
                  + "; statuses: "
                  + statuses(c));
        }
        for (Job job : client.batch().v1().jobs().inNamespace(c.namespace).list().getItems()) {
          if (ran.add(job.getMetadata().getName())) {
            log.add(runJob(c, kubelet, job));
          }
        }
        checkNothingReadsAsFailed(c);
        Thread.sleep(100);
      }
      assertThat(ran)
          .containsExactlyInAnyOrder(
              "tiny-chat-datagen", "tiny-eagle3-train", "tiny-eagle3-eval-eval");

      String summary =
          TinyPipeline.assertSucceeded(
              c.get(HiddenStateDataset.class, TinyPipeline.DATASET),
              c.get(SpeculatorTraining.class, TinyPipeline.TRAINING),
              c.get(SpeculatorEval.class, TinyPipeline.EVAL));
      System.out.println("tiny pipeline on the mock: " + summary);
      log.forEach(l -> System.out.println("  " + l));

      // the files are where the statuses say, on the claims the operator created
      var training = c.get(SpeculatorTraining.class, TinyPipeline.TRAINING).getStatus().results;
      Path speculator = kubelet.claim(c.namespace, training.claimName).resolve(training.finalPath);
      assertThat(speculator.resolve("config.json")).exists();
      assertThat(speculator.resolve("model.safetensors")).exists();
      var eval = c.get(SpeculatorEval.class, TinyPipeline.EVAL).getStatus().results;
      assertThat(kubelet.claim(c.namespace, eval.claimName).resolve(eval.resultsPath)).exists();

      // GitOps: the operator wrote status only
      for (Map.Entry<String, JsonNode> e : specs.entrySet()) {
        String[] id = e.getKey().split("/");
        CustomResource<?, ?> now = c.get(KINDS.get(id[0]), id[1]);
        assertThat(spec(now)).as("spec of %s", e.getKey()).isEqualTo(e.getValue());
        assertThat(now.getMetadata().getGeneration())
            .as("generation of %s", e.getKey())
            .isEqualTo(1L);
      }
      assertThat(operator.failures()).as("failed reconciliations").isZero();
    }
  }

  /**
   * Starts the Job's pods, runs each one's worker, and reports the outcome as the Job controller
   * would.
   */
  private static String runJob(Cluster c, Kubelet kubelet, Job job) throws Exception {
    String worker = job.getMetadata().getLabels().get("app.kubernetes.io/component");
    boolean indexed = "Indexed".equals(job.getSpec().getCompletionMode());
    long started = System.nanoTime();
    List<Pod> pods = c.sim.start(job);
    for (Pod pod : pods) {
      c.sim.editPod(
          pod,
          p -> {
            p.getStatus().setStartTime(Instant.now().toString());
            return p;
          });
      Kubelet.Exit exit = kubelet.run(pod, worker);
      if (exit.code() != 0) {
        c.sim.failPod(pod, job, worker, exit.code(), "Error", exit.terminationMessage());
        c.sim.failJob(job, "BackoffLimitExceeded", "Job has reached the specified backoff limit");
        fail(
            job.getMetadata().getName()
                + " failed with exit "
                + exit.code()
                + ": "
                + exit.terminationMessage());
      }
      assertThat(exit.terminationMessage())
          .as("summary of %s", pod.getMetadata().getName())
          .isNotBlank();
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
    return String.format(
        "%s: %d pod(s) in %.1f s",
        job.getMetadata().getName(), pods.size(), (System.nanoTime() - started) / 1e9);
  }

  private static boolean allReady(Cluster c) {
    for (var e : List.of(TinyPipeline.DATASET, TinyPipeline.TRAINING, TinyPipeline.EVAL)) {
      // names are unique per kind; the first match is the resource
      CustomResource<?, ? extends ResourceStatus> r = resource(c, e);
      if (r == null
          || r.getStatus() == null
          || !"True".equals(Cluster.condition(r.getStatus(), "Ready"))) {
        return false;
      }
    }
    return true;
  }

  @SuppressWarnings("unchecked")
  private static CustomResource<?, ? extends ResourceStatus> resource(Cluster c, String name) {
    Class<?> type =
        name.equals(TinyPipeline.DATASET)
            ? HiddenStateDataset.class
            : name.equals(TinyPipeline.TRAINING) ? SpeculatorTraining.class : SpeculatorEval.class;
    return (CustomResource<?, ? extends ResourceStatus>)
        c.get((Class<? extends CustomResource<?, ?>>) type, name);
  }

  /** While the pipeline runs, every resource reads as in progress or healthy, never as failed. */
  private static void checkNothingReadsAsFailed(Cluster c) {
    for (String name : List.of(TinyPipeline.DATASET, TinyPipeline.TRAINING, TinyPipeline.EVAL)) {
      CustomResource<?, ? extends ResourceStatus> r = resource(c, name);
      if (r == null || r.getStatus() == null) {
        continue;
      }
      JsonNode object = client.getKubernetesSerialization().convertValue(r, JsonNode.class);
      assertThat(HealthChecks.argo(object).status())
          .as("Argo CD health of %s: %s", name, r.getStatus().message)
          .isIn("Progressing", "Healthy");
      assertThat(HealthChecks.kstatus(object))
          .as("kstatus of %s", name)
          .isIn("InProgress", "Current");
    }
  }

  private static JsonNode spec(HasMetadata r) {
    return client.getKubernetesSerialization().convertValue(r, JsonNode.class).path("spec");
  }

  private static String statuses(Cluster c) {
    StringBuilder s = new StringBuilder();
    for (String name : List.of(TinyPipeline.DATASET, TinyPipeline.TRAINING, TinyPipeline.EVAL)) {
      CustomResource<?, ? extends ResourceStatus> r = resource(c, name);
      s.append(name)
          .append(": ")
          .append(r == null || r.getStatus() == null ? "-" : r.getStatus().message)
          .append("; ");
    }
    return s.toString();
  }
}
