package dev.speculators.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.speculators.api.HiddenStateDataset;
import dev.speculators.api.SpeculatorEval;
import dev.speculators.api.SpeculatorTraining;
import dev.speculators.api.common.ResourceStatus;
import dev.speculators.api.validation.ResourceDocuments;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The tiny pipeline on a real kind cluster, through the Java client: the operator installed by
 * {@code e2e/kind/run.sh} (or {@code kubectl apply -k e2e/kind} with the images loaded) runs {@code
 * e2e/kind/tiny-pipeline.yaml} in a fresh namespace to Ready, and the statuses carry a trained
 * draft that beats the untrained one.
 *
 * <p>Opt-in: {@code mvn test -Dgroups=kind -DexcludedGroups=} (the build excludes the tag). It runs
 * against the current kube context and is skipped unless that is a reachable kind cluster ({@code
 * kind-*}).
 */
@Tag("kind")
class KindPipelineTest {
  private static final Duration TIMEOUT =
      Duration.ofMinutes(Long.getLong("e2e.timeout.minutes", 20));
  private static final Map<String, Class<? extends CustomResource<?, ?>>> KINDS =
      Map.of(
          "HiddenStateDataset", HiddenStateDataset.class,
          "SpeculatorTraining", SpeculatorTraining.class,
          "SpeculatorEval", SpeculatorEval.class);

  private static KubernetesClient client;
  private static String namespace;

  /** Connects to the current context; skips the test unless it is a reachable kind cluster. */
  private static void connect() {
    Config config = Config.autoConfigure(null);
    String context =
        config.getCurrentContext() == null ? null : config.getCurrentContext().getName();
    assumeTrue(
        context != null && context.startsWith("kind-"),
        "the current kube context is not a kind cluster: " + context);
    config.setRequestTimeout(10_000);
    config.setConnectionTimeout(5_000);
    config.setRequestRetryBackoffLimit(0);
    client = new KubernetesClientBuilder().withConfig(config).build();
    try {
      client.getKubernetesVersion();
    } catch (RuntimeException e) {
      client.close();
      client = null;
      assumeTrue(false, "kind cluster " + context + " is not reachable: " + e.getMessage());
    }
    // reachable: from here on a missing installation is a failure, not a skip
    for (String crd : List.of("hiddenstatedatasets", "speculatortrainings", "speculatorevals")) {
      assertThat(
              client
                  .apiextensions()
                  .v1()
                  .customResourceDefinitions()
                  .withName(crd + ".speculators.dev")
                  .get())
          .as("CRD %s (install the operator: e2e/kind/run.sh)", crd)
          .isNotNull();
    }
    Deployment operator =
        client
            .apps()
            .deployments()
            .inNamespace("speculators-system")
            .withName("speculators-operator")
            .get();
    assertThat(operator).as("the operator Deployment (install it: e2e/kind/run.sh)").isNotNull();
    assertThat(operator.getStatus() == null ? null : operator.getStatus().getAvailableReplicas())
        .as("available operator replicas")
        .isNotNull()
        .isPositive();
    namespace =
        "speculators-junit-"
            + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
  }

  @AfterAll
  static void cleanUp() {
    if (client != null) {
      if (namespace != null) {
        client.namespaces().withName(namespace).delete();
      }
      client.close();
    }
  }

  @Test
  void theTinyPipelineSucceedsOnTheCluster() throws IOException {
    connect();
    for (ResourceDocuments.Document d : ResourceDocuments.read(TinyPipeline.FILE)) {
      var resource =
          client
              .getKubernetesSerialization()
              .convertValue(d.node(), KINDS.get(d.node().path("kind").asText()));
      resource.getMetadata().setNamespace(namespace);
      client.resource(resource).create(); // the API server admits and defaults it
    }
    Awaitility.await()
        .atMost(TIMEOUT.toSeconds(), TimeUnit.SECONDS)
        .pollInterval(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              for (String name :
                  List.of(TinyPipeline.DATASET, TinyPipeline.TRAINING, TinyPipeline.EVAL)) {
                ResourceStatus s = status(name);
                assertThat(s).as(name).isNotNull();
                assertThat(s.condition("Stalled").map(c -> c.getStatus()).orElse("False"))
                    .as("%s stalled or failed: %s", name, s.message)
                    .isEqualTo("False");
                assertThat(s.condition("Ready").map(c -> c.getStatus()).orElse(null))
                    .as("%s: %s", name, s.message)
                    .isEqualTo("True");
              }
            });
    String summary =
        TinyPipeline.assertSucceeded(
            client
                .resources(HiddenStateDataset.class)
                .inNamespace(namespace)
                .withName(TinyPipeline.DATASET)
                .get(),
            client
                .resources(SpeculatorTraining.class)
                .inNamespace(namespace)
                .withName(TinyPipeline.TRAINING)
                .get(),
            client
                .resources(SpeculatorEval.class)
                .inNamespace(namespace)
                .withName(TinyPipeline.EVAL)
                .get());
    System.out.println("tiny pipeline on kind: " + summary);
  }

  private static ResourceStatus status(String name) {
    CustomResource<?, ?> r =
        name.equals(TinyPipeline.DATASET)
            ? client.resources(HiddenStateDataset.class).inNamespace(namespace).withName(name).get()
            : name.equals(TinyPipeline.TRAINING)
                ? client
                    .resources(SpeculatorTraining.class)
                    .inNamespace(namespace)
                    .withName(name)
                    .get()
                : client
                    .resources(SpeculatorEval.class)
                    .inNamespace(namespace)
                    .withName(name)
                    .get();
    return r == null ? null : (ResourceStatus) r.getStatus();
  }
}
