package dev.speculators.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.api.SpeculatorEval;
import dev.speculators.api.SpeculatorTraining;
import dev.speculators.operator.testing.Cluster;
import dev.speculators.operator.testing.PodSecurityStandards;
import dev.speculators.operator.testing.Resources;
import dev.speculators.operator.testing.Summaries;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every example under {@code examples/} that targets a cluster, applied to the mock API server: it
 * produces the expected Jobs, whose pods pass Pod Security "restricted" and request CPU and memory
 * in every container, and when the test completes them (as the workers would), every resource in it
 * walks to Succeeded.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class ExamplesOnClusterTest {
  @Inject KubernetesClient client;

  /** The Jobs each example produces; examples it depends on are applied with it. */
  private static final Map<String, List<String>> EXPECTED_JOBS =
      Map.ofEntries(
          Map.entry("hiddenstatedataset.yaml", List.of("llama31-8b-sharegpt-5k-datagen")),
          Map.entry(
              "speculatortraining.yaml",
              List.of(
                  "llama31-8b-sharegpt-5k-datagen",
                  "llama31-8b-eagle3-train",
                  "llama31-8b-eagle3-eval")),
          Map.entry("speculatoreval.yaml", List.of("qwen3-8b-published-eval")),
          Map.entry(
              "single-config-training.yaml",
              List.of(
                  "qwen3-8b-ultrachat-datagen",
                  "qwen3-8b-ultrachat-train",
                  "qwen3-8b-ultrachat-eval")),
          Map.entry(
              "pipeline.yaml",
              List.of(
                  "gpt-oss-20b-ultrachat-datagen",
                  "gpt-oss-20b-eagle3-train",
                  "gpt-oss-20b-eagle3-eval-eval")),
          Map.entry("training-from-pvc.yaml", List.of("llama31-8b-from-pvc-train")),
          Map.entry("upstream/llama3-8b-sharegpt-5k.yaml", endToEnd("llama3-8b-sharegpt-5k")),
          Map.entry("upstream/gpt-oss-20b-ultrachat-5k.yaml", endToEnd("gpt-oss-20b-ultrachat-5k")),
          Map.entry(
              "upstream/qwen3-8b-sharegpt-ultrachat.yaml", endToEnd("qwen3-8b-sharegpt-ultrachat")),
          Map.entry("upstream/llama3.3-70b.yaml", endToEnd("llama3-3-70b-eagle3")),
          Map.entry("eval/llama-3.1-8b.yaml", List.of("llama-3-1-8b-eagle3-eval")),
          Map.entry("eval/llama-3.3-70b.yaml", List.of("llama-3-3-70b-eagle3-eval")),
          Map.entry("eval/gpt-oss-20b.yaml", List.of("gpt-oss-20b-eagle3-eval")),
          Map.entry("eval/qwen3-8b.yaml", List.of("qwen3-8b-eagle3-eval")),
          Map.entry("eval/qwen3-32b.yaml", List.of("qwen3-32b-eagle3-eval")));

  /** A single-config training: its dataset, its trainer, its evaluation. */
  private static List<String> endToEnd(String training) {
    return List.of(training + "-datagen", training + "-train", training + "-eval");
  }

  /** Examples for the local pipeline ({@code run -f}), not for a cluster. */
  private static final Path LOCAL = Path.of("examples", "local");

  private static final Map<String, List<String>> DEPENDS_ON =
      Map.of("speculatortraining.yaml", List.of("hiddenstatedataset.yaml"));

  @Test
  void everyClusterExampleProducesItsJobsAndSucceeds() throws IOException {
    Path root = Path.of("examples");
    List<Path> examples;
    try (Stream<Path> s = Files.walk(root)) {
      examples =
          s.filter(p -> p.toString().endsWith(".yaml"))
              .filter(p -> !p.startsWith(LOCAL))
              .sorted()
              .toList();
    }
    assertThat(examples)
        .extracting(p -> root.relativize(p).toString())
        .as("every cluster example has expected Jobs here")
        .containsExactlyInAnyOrderElementsOf(EXPECTED_JOBS.keySet());
    for (Path example : examples) {
      String file = root.relativize(example).toString();
      Cluster c =
          new Cluster(
              client,
              "ex-" + file.replace(".yaml", "").replaceAll("[./]", "-").toLowerCase(Locale.ROOT));
      List<HasMetadata> applied = new ArrayList<>();
      for (String dep : DEPENDS_ON.getOrDefault(file, List.of())) {
        applied.addAll(apply(c, Path.of("examples", dep)));
      }
      applied.addAll(apply(c, example));
      runAll(c, applied, EXPECTED_JOBS.get(file));
    }
  }

  private List<HasMetadata> apply(Cluster c, Path file) {
    List<HasMetadata> out = new ArrayList<>();
    for (JsonNode doc : Resources.admittedFile(file)) {
      Class<? extends HasMetadata> type =
          switch (doc.get("kind").asText()) {
            case "HiddenStateDataset" -> HiddenStateDataset.class;
            case "SpeculatorTraining" -> SpeculatorTraining.class;
            case "SpeculatorEval" -> SpeculatorEval.class;
            default -> throw new IllegalArgumentException(doc.get("kind").asText());
          };
      out.add(client.resource(Resources.as(client, doc, type, c.namespace)).create());
    }
    return out;
  }

  /** Plays the workers until every applied resource succeeded; checks the Jobs that ran. */
  private void runAll(Cluster c, List<HasMetadata> applied, List<String> expectedJobs) {
    Set<String> ran = new HashSet<>();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              for (Job job :
                  client.batch().v1().jobs().inNamespace(c.namespace).list().getItems()) {
                if (ran.add(job.getMetadata().getName())) {
                  String component =
                      job.getMetadata().getLabels().get("app.kubernetes.io/component");
                  int shards = job.getSpec().getCompletions();
                  c.sim.runToSuccess(
                      job,
                      component,
                      i ->
                          switch (component) {
                            case "datagen" ->
                                Summaries.datagen(
                                    i, shards, 1000, 100_000, 1_000_000, i == shards - 1);
                            case "train" -> Summaries.train(5, 2.1);
                            default -> Summaries.eval(2.2);
                          });
                }
              }
              return applied.stream().allMatch(r -> "Succeeded".equals(phase(c, r)));
            });
    assertThat(ran)
        .as("Jobs of the example in %s", c.namespace)
        .containsExactlyInAnyOrderElementsOf(expectedJobs);
    for (Job job : client.batch().v1().jobs().inNamespace(c.namespace).list().getItems()) {
      var pod = job.getSpec().getTemplate();
      assertThat(PodSecurityStandards.restricted(pod))
          .as("Pod Security restricted: pods of Job %s", job.getMetadata().getName())
          .isEmpty();
      assertThat(PodSecurityStandards.missingRequests(pod))
          .as("CPU and memory requests: pods of Job %s", job.getMetadata().getName())
          .isEmpty();
    }
    for (HasMetadata r : applied) {
      var status = c.get(typeOf(r), r.getMetadata().getName()).getStatus();
      assertThat(
              ((dev.speculators.api.common.ResourceStatus) status)
                  .condition("Ready")
                  .orElseThrow()
                  .getStatus())
          .isEqualTo("True");
    }
  }

  @SuppressWarnings("unchecked")
  private static Class<? extends io.fabric8.kubernetes.client.CustomResource<?, ?>> typeOf(
      HasMetadata r) {
    return (Class<? extends io.fabric8.kubernetes.client.CustomResource<?, ?>>) r.getClass();
  }

  private String phase(Cluster c, HasMetadata r) {
    Object s = c.get(typeOf(r), r.getMetadata().getName()).getStatus();
    if (s == null) {
      return null;
    }
    return client
        .getKubernetesSerialization()
        .convertValue(s, JsonNode.class)
        .path("phase")
        .asText(null);
  }
}
