package dev.speculators.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.api.PrinterColumnOrder;
import dev.speculators.api.SpeculatorEval;
import dev.speculators.api.SpeculatorTraining;
import dev.speculators.api.common.ResourceStatus;
import dev.speculators.api.validation.ResourceDocuments;
import dev.speculators.api.validation.ResourceValidator;
import dev.speculators.operator.runtime.OperatorSettings;
import dev.speculators.operator.status.Conditions;
import dev.speculators.operator.status.Reason;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The real operator (Quarkus + JOSDK) against fabric8's API server in CRUD mode: it starts, reports
 * ready, reconciles all three kinds and publishes reconciliation metrics. Resources are submitted
 * the way a cluster would store them: admitted and defaulted by the CRD validator first.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class OperatorOnTestServerTest {
  private static final String NS = "team-a";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Inject KubernetesClient client;
  @Inject OperatorSettings settings;

  @TestHTTPResource("/q/health/ready")
  URL ready;

  @TestHTTPResource("/q/health/live")
  URL live;

  @TestHTTPResource("/q/health/started")
  URL started;

  @TestHTTPResource("/q/metrics")
  URL metrics;

  @Test
  void reportsLiveAndReadyWithAllControllers() throws Exception {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              HttpResponse<String> r = get(ready);
              assertThat(r.statusCode()).isEqualTo(200);
              assertThat(r.body())
                  .contains("\"UP\"", "hiddenstatedataset", "speculatortraining", "speculatoreval");
            });
    assertThat(get(live).statusCode()).isEqualTo(200);
    assertThat(get(started).statusCode()).isEqualTo(200);
  }

  @Test
  void everyKindGetsItsGenerationObservedAndAReadyCondition() throws IOException {
    HiddenStateDataset dataset =
        create(HiddenStateDataset.class, "examples/hiddenstatedataset.yaml", 0);
    SpeculatorTraining training =
        create(SpeculatorTraining.class, "examples/speculatortraining.yaml", 0);
    SpeculatorEval eval = create(SpeculatorEval.class, "examples/speculatoreval.yaml", 0);

    awaitObserved(HiddenStateDataset.class, dataset.getMetadata().getName(), 1L);
    awaitObserved(SpeculatorTraining.class, training.getMetadata().getName(), 1L);
    awaitObserved(SpeculatorEval.class, eval.getMetadata().getName(), 1L);

    // a spec change (a mutable field) is observed with the new generation
    HiddenStateDataset stored =
        client
            .resources(HiddenStateDataset.class)
            .inNamespace(NS)
            .withName(dataset.getMetadata().getName())
            .get();
    String firstTransition = readyCondition(stored.getStatus()).getLastTransitionTime();
    stored.getSpec().concurrency = 8;
    client.resource(stored).update();
    HiddenStateDataset next =
        awaitObserved(HiddenStateDataset.class, dataset.getMetadata().getName(), 2L);
    assertThat(readyCondition(next.getStatus()).getLastTransitionTime())
        .as("unchanged condition keeps its transition time")
        .isEqualTo(firstTransition);
    assertThat(next.getStatus().conditions)
        .extracting(Condition::getType)
        .containsExactlyInAnyOrder("Ready", "Progressing", "Reconciling", "Stalled", "Failed");
  }

  @Test
  void publishesReconciliationMetricsPerController() throws IOException {
    create(HiddenStateDataset.class, "examples/pipeline.yaml", 0);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(get(metrics).body())
                    .contains("reconciliations_started_total")
                    .contains("controller_name=\"hiddenstatedataset\""));
  }

  @Test
  void theGeneratedCrdsAreTheCommittedOnes() throws IOException {
    // the Quarkus build generated target/kubernetes/*-v1.yml for this run and applied them here;
    // crds/ differs only in the printer columns' order (PrinterColumnOrder)
    for (String kind : List.of("hiddenstatedatasets", "speculatortrainings", "speculatorevals")) {
      String file = kind + ".speculators.dev-v1.yml";
      assertThat(PrinterColumnOrder.of(Files.readString(Path.of("target", "kubernetes", file))))
          .as("crds/%s is out of date: mvn -B test -Dtest=CrdSyncTest -Dcrds.update=true", file)
          .isEqualTo(Files.readString(Path.of("crds", file)));
      assertThat(
              client
                  .apiextensions()
                  .v1()
                  .customResourceDefinitions()
                  .withName(kind + ".speculators.dev")
                  .get())
          .isNotNull();
    }
  }

  @Test
  void workloadImagesHaveDefaults() {
    assertThat(settings.vllmImage()).startsWith("vllm/vllm-openai:v");
    assertThat(settings.workerImage()).startsWith("speculators/worker:");
    assertThat(settings.trainerImage()).isNotBlank();
    assertThat(settings.evalImage()).isNotBlank();
  }

  private <T extends CustomResource<?, ?>> T create(Class<T> type, String file, int document)
      throws IOException {
    List<ResourceDocuments.Document> docs = ResourceDocuments.read(Path.of(file));
    JsonNode admitted =
        ResourceValidator.fromClasspath().admitCreate(docs.get(document).node()).orThrow();
    T resource = client.getKubernetesSerialization().convertValue(admitted, type);
    resource.getMetadata().setNamespace(NS);
    return client.resource(resource).create();
  }

  private <T extends CustomResource<?, ? extends ResourceStatus>> T awaitObserved(
      Class<T> type, String name, long generation) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> client.resources(type).inNamespace(NS).withName(name).get(),
            r ->
                r.getStatus() != null
                    && Long.valueOf(generation).equals(r.getStatus().observedGeneration)
                    && isCatalogued(readyCondition(r.getStatus()), generation));
  }

  private static boolean isCatalogued(Condition c, long generation) {
    return c != null
        && Conditions.FALSE.equals(c.getStatus())
        && Arrays.stream(Reason.values()).anyMatch(r -> r.name().equals(c.getReason()))
        && Long.valueOf(generation).equals(c.getObservedGeneration())
        && c.getLastTransitionTime() != null;
  }

  private static Condition readyCondition(ResourceStatus status) {
    return status.condition(Conditions.READY).orElse(null);
  }

  private static HttpResponse<String> get(URL url) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url.toString())).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
