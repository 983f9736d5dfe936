package dev.speculators.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.speculators.api.HiddenStateDataset;
import dev.speculators.api.SpeculatorEval;
import dev.speculators.operator.testing.Cluster;
import dev.speculators.operator.testing.Resources;
import dev.speculators.operator.testing.Summaries;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The operator's own metrics as Prometheus scrapes them from {@code /q/metrics}: resources per
 * phase, phase durations, GPU-seconds per resource, Warning Events and reconciliation errors per
 * reason, produced by the real controllers while the test plays the cluster.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class OperatorMetricsTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)}\\s+(\\S+)");

  @Inject KubernetesClient client;

  @KubernetesTestServer KubernetesServer server;

  @TestHTTPResource("/q/metrics")
  URL metrics;

  @Test
  void aDatasetOnGpusReportsItsPhasesAndGpuSeconds() throws Exception {
    Cluster c = new Cluster(client, "metrics-gpu");
    String yaml = Files.readString(Path.of("examples", "hiddenstatedataset.yaml"));
    HiddenStateDataset ds = Resources.create(client, yaml, HiddenStateDataset.class, c.namespace);
    String name = ds.getMetadata().getName();
    Job job = c.sim.awaitJob(c.namespace, name + "-datagen");
    c.awaitReason(HiddenStateDataset.class, name, "PodsStarting");
    List<Pod> pods = c.sim.start(job);
    // each shard pod held its GPU (tensorParallelSize 1) for 120 s
    String started = Instant.now().minusSeconds(120).toString();
    for (Pod p : pods) {
      c.sim.editPod(
          p,
          x -> {
            x.getStatus().setStartTime(started);
            return x;
          });
    }
    c.awaitReason(HiddenStateDataset.class, name, "Generating");
    for (int i = 0; i < pods.size(); i++) {
      c.sim.succeedIndex(
          job,
          "datagen",
          i,
          Summaries.datagen(i, pods.size(), 10, 1000, 10_000, i == pods.size() - 1));
    }
    c.awaitReason(HiddenStateDataset.class, name, "Succeeded");

    Map<String, String> series =
        Map.of("kind", "HiddenStateDataset", "namespace", c.namespace, "name", name);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              String text = scrape();
              assertThat(value(text, "speculators_gpu_seconds_total", series))
                  .as("4 shards x 1 GPU x 120 s")
                  .hasValueCloseTo(4 * 120.0, within(4 * 5.0));
              for (String phase : List.of("Pending", "Generating")) {
                assertThat(
                        value(
                            text,
                            "speculators_phase_duration_seconds_count",
                            Map.of("kind", "HiddenStateDataset", "phase", phase)))
                    .as("left %s", phase)
                    .isPresent()
                    .satisfies(v -> assertThat(v.getAsDouble()).isGreaterThanOrEqualTo(1));
              }
              assertThat(
                      value(
                          text,
                          "speculators_phase_duration_seconds_bucket",
                          Map.of(
                              "kind", "HiddenStateDataset", "phase", "Generating", "le", "+Inf")))
                  .isPresent();
              assertThat(
                      value(
                          text,
                          "speculators_resources",
                          Map.of("kind", "HiddenStateDataset", "phase", "Succeeded")))
                  .isPresent()
                  .satisfies(v -> assertThat(v.getAsDouble()).isGreaterThanOrEqualTo(1));
              assertThat(
                      value(
                          text,
                          "speculators_resources",
                          Map.of("kind", "SpeculatorTraining", "phase", "Training")))
                  .as("every phase of every kind has a gauge")
                  .isPresent();
            });
    HiddenStateDataset done = c.get(HiddenStateDataset.class, name);
    assertThat(done.getStatus().lastPhaseTransitionTime).isNotNull();
  }

  @Test
  void warningsAndReconcileErrorsAreCountedByReason() throws Exception {
    // an evaluation whose pod cannot be scheduled: a Warning Event with reason Unschedulable
    Cluster c = new Cluster(client, "metrics-warn");
    SpeculatorEval eval =
        Resources.create(
            client,
            Files.readString(Path.of("examples", "speculatoreval.yaml")),
            SpeculatorEval.class,
            c.namespace);
    Job job = c.sim.awaitJob(c.namespace, eval.getMetadata().getName() + "-eval");
    c.sim.unschedulable(
        c.sim.createPod(job, null), "0/3 nodes are available: 3 Insufficient nvidia.com/gpu.");
    c.awaitReason(SpeculatorEval.class, eval.getMetadata().getName(), "Unschedulable");

    // the API server refuses the dataset's Job: a failed reconciliation with reason Forbidden
    server
        .expect()
        .post()
        .withPath("/apis/batch/v1/namespaces/metrics-forbidden/jobs")
        .andReturn(
            403,
            new StatusBuilder()
                .withApiVersion("v1")
                .withKind("Status")
                .withStatus("Failure")
                .withCode(403)
                .withReason("Forbidden")
                .withMessage("jobs.batch is forbidden: exceeded quota")
                .build())
        .always();
    Resources.create(
        client,
        Files.readString(Path.of("examples", "hiddenstatedataset.yaml")),
        HiddenStateDataset.class,
        "metrics-forbidden");

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              String text = scrape();
              assertThat(
                      value(
                          text,
                          "speculators_resource_warnings_total",
                          Map.of("kind", "SpeculatorEval", "reason", "Unschedulable")))
                  .isPresent()
                  .satisfies(v -> assertThat(v.getAsDouble()).isGreaterThanOrEqualTo(1));
              assertThat(
                      value(
                          text,
                          "speculators_reconcile_errors_total",
                          Map.of("kind", "HiddenStateDataset", "reason", "Forbidden")))
                  .isPresent()
                  .satisfies(v -> assertThat(v.getAsDouble()).isGreaterThanOrEqualTo(1));
              // next to the framework's own reconciliation metrics
              assertThat(text).contains("reconciliations_started_total");
            });
  }

  private String scrape() throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(metrics.toString())).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  /** The value of the first sample of {@code metric} whose labels include {@code labels}. */
  static OptionalDouble value(String exposition, String metric, Map<String, String> labels) {
    for (String line : exposition.split("\n")) {
      Matcher m = SAMPLE.matcher(line);
      if (m.find()
          && m.group(1).equals(metric)
          && labels.entrySet().stream()
              .allMatch(e -> m.group(2).contains(e.getKey() + "=\"" + e.getValue() + "\""))) {
        return OptionalDouble.of(Double.parseDouble(m.group(3)));
      }
    }
    return OptionalDouble.empty();
  }
}
