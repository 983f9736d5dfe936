package dev.speculators.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.api.SpeculatorEval;
import dev.speculators.api.SpeculatorTraining;
import dev.speculators.operator.kube.WorkloadSettings;
import dev.speculators.operator.testing.ClusterSim;
import dev.speculators.operator.testing.Resources;
import dev.speculators.operator.testing.Summaries;
import dev.speculators.operator.testing.TestOperator;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * bench-operator: drives a mix of resources to Succeeded against the mock API server with the test
 * as the cluster, and reports reconciliations, wall time and the operator JVM's heap and resident
 * memory, each against the idle operator measured in the same run. Not a timed test: it asserts
 * only that everything succeeded.
 *
 * <pre>mvn -B -q test -Dtest=OperatorBenchmark -Dbench.operator=true</pre>
 *
 * (200 resources: 80 HiddenStateDataset, 60 SpeculatorTraining of which 40 wait for one of the
 * datasets, 60 SpeculatorEval). Without the property a smoke run of 20 resources checks the
 * harness. The mock server and the driver share the JVM with the operator, so memory is an upper
 * bound.
 */
@EnableKubernetesMockClient(crud = true)
class OperatorBenchmark {
  static KubernetesMockServer server;
  static KubernetesClient client;

  @Test
  void benchmark() throws Exception {
    boolean full = Boolean.getBoolean("bench.operator");
    int datasets = full ? 80 : 8;
    int trainings = full ? 60 : 6;
    int evals = full ? 60 : 6;
    TestOperator.installCrds(client);
    WorkloadSettings settings = WorkloadSettings.defaults().withProgressLogInterval(Duration.ZERO);
    try (TestOperator operator = TestOperator.start(client, settings)) {
      Thread.sleep(500);
      Memory idle = Memory.now();
      List<CustomResource<?, ?>> created = new ArrayList<>();
      long start = System.nanoTime();
      for (int i = 0; i < datasets; i++) {
        created.add(
            Resources.create(
                client,
                String.format(
                    Locale.ROOT,
                    """
            apiVersion: speculators.dev/v1alpha1
            kind: HiddenStateDataset
            metadata: {name: ds-%d}
            spec:
              targetModel: {hfId: org/model-%d}
              datasets: [{preset: sharegpt}]
              layerIds: [2, 16, 29, 32]
              shards: %d
            """,
                    i,
                    i,
                    1 + i % 4),
                HiddenStateDataset.class,
                ns(i)));
      }
      for (int i = 0; i < trainings; i++) {
        String dataset =
            i % 3 == 2
                ? "{path: {claimName: data, path: pre/" + i + "}}\n  targetModel: {hfId: org/model}"
                : "{ref: {name: ds-" + i + "}}";
        created.add(
            Resources.create(
                client,
                String.format(
                    Locale.ROOT,
                    """
            apiVersion: speculators.dev/v1alpha1
            kind: SpeculatorTraining
            metadata: {name: tr-%d}
            spec:
              dataset: %s
              training: {epochs: 2}
            """,
                    i,
                    dataset),
                SpeculatorTraining.class,
                ns(i)));
      }
      for (int i = 0; i < evals; i++) {
        created.add(
            Resources.create(
                client,
                String.format(
                    Locale.ROOT,
                    """
            apiVersion: speculators.dev/v1alpha1
            kind: SpeculatorEval
            metadata: {name: ev-%d}
            spec:
              targetModel: {hfId: org/model}
              speculator: {hfId: org/speculator-%d}
              datasets: ['prompt_tokens=128,output_tokens=64']
            """,
                    i,
                    i),
                SpeculatorEval.class,
                ns(i)));
      }
      drive(created);
      double seconds = (System.nanoTime() - start) / 1e9;
      Memory loaded = Memory.now();
      long reconciliations = operator.reconciliations();
      int n = created.size();
      System.out.println(
          String.format(
              Locale.ROOT,
              "bench-operator: %d resources (%d HiddenStateDataset, %d SpeculatorTraining, %d SpeculatorEval) to"
                  + " Succeeded in %.1f s (%.1f resources/s); %d reconciliations (%.1f per resource), %d failed;"
                  + " heap after GC %.0f MiB idle -> %.0f MiB (%.2fx); RSS %.0f MiB idle -> %.0f MiB (%.2fx)",
              n,
              datasets,
              trainings,
              evals,
              seconds,
              n / seconds,
              reconciliations,
              (double) reconciliations / n,
              operator.failures(),
              idle.heapMiB,
              loaded.heapMiB,
              loaded.heapMiB / idle.heapMiB,
              idle.rssMiB,
              loaded.rssMiB,
              loaded.rssMiB / idle.rssMiB));
      assertThat(operator.failures()).isZero();
      int jobs = client.batch().v1().jobs().inAnyNamespace().list().getItems().size();
      int claims = client.persistentVolumeClaims().inAnyNamespace().list().getItems().size();
      int pods = client.pods().inAnyNamespace().list().getItems().size();
      int configMaps = client.configMaps().inAnyNamespace().list().getItems().size();
      System.out.println(
          String.format(
              Locale.ROOT,
              "bench-operator: children: %d Jobs, %d PVCs, %d ConfigMaps, %d pods (one of each per resource: no duplicates)",
              jobs,
              claims,
              configMaps,
              pods));
      assertThat(jobs).as("one Job per resource").isEqualTo(n);
      assertThat(claims).as("one created PVC per resource").isEqualTo(n);
      assertThat(configMaps).as("one ConfigMap per dataset").isEqualTo(datasets);
    }
  }

  private static String ns(int i) {
    return "bench-" + (i % 4);
  }

  /** Plays the workers: every Job that appears runs to success, until every resource succeeded. */
  private static void drive(List<CustomResource<?, ?>> resources) throws InterruptedException {
    ClusterSim sim = new ClusterSim(client);
    Set<String> ran = new HashSet<>();
    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    while (System.nanoTime() < deadline) {
      for (Job job : client.batch().v1().jobs().inAnyNamespace().list().getItems()) {
        if (ran.add(job.getMetadata().getNamespace() + "/" + job.getMetadata().getName())) {
          String component = job.getMetadata().getLabels().get("app.kubernetes.io/component");
          int shards = job.getSpec().getCompletions();
          sim.runToSuccess(
              job,
              component,
              i ->
                  switch (component) {
                    case "datagen" ->
                        Summaries.datagen(i, shards, 100, 10_000, 100_000, i == shards - 1);
                    case "train" -> Summaries.train(2, 2.0);
                    default -> Summaries.eval(2.0);
                  });
        }
      }
      if (resources.stream().allMatch(OperatorBenchmark::succeeded)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("not every resource succeeded within 10 minutes");
  }

  @SuppressWarnings("unchecked")
  private static boolean succeeded(CustomResource<?, ?> r) {
    var current =
        client
            .resources((Class<CustomResource<?, ?>>) r.getClass())
            .inNamespace(r.getMetadata().getNamespace())
            .withName(r.getMetadata().getName())
            .get();
    if (current == null || current.getStatus() == null) {
      return false;
    }
    JsonNode s =
        client.getKubernetesSerialization().convertValue(current.getStatus(), JsonNode.class);
    return "Succeeded".equals(s.path("phase").asText());
  }

  private record Memory(double heapMiB, double rssMiB) {
    static Memory now() throws IOException {
      System.gc();
      var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
      double rss = Double.NaN;
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
      return new Memory(heap.getUsed() / 1048576.0, rss);
    }
  }
}
