package dev.speculators.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.api.SpeculatorEval;
import dev.speculators.api.SpeculatorTraining;
import dev.speculators.operator.testing.Cluster;
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
 * Every example under {@code examples/} that targets a cluster, applied to the mock API server:
 * it produces the expected Jobs, and when the test completes them (as the workers would), every
 * resource in it walks to Succeeded.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class ExamplesOnClusterTest {
  @Inject KubernetesClient client;

  /** The Jobs each example produces; examples it depends on are applied with it. */
  private static final Map<String, List<String>> EXPECTED_JOBS = Map.of(
      "hiddenstatedataset.yaml", List.of("llama31-8b-sharegpt-5k-datagen"),
      "speculatortraining.yaml", List.of("llama31-8b-sharegpt-5k-datagen", "llama31-8b-eagle3-train",
          "llama31-8b-eagle3-eval"),
      "speculatoreval.yaml", List.of("qwen3-8b-published-eval"),
      "single-config-training.yaml", List.of("qwen3-8b-ultrachat-datagen", "qwen3-8b-ultrachat-train",
          "qwen3-8b-ultrachat-eval"),
      "pipeline.yaml", List.of("gpt-oss-20b-ultrachat-datagen", "gpt-oss-20b-eagle3-train",
          "gpt-oss-20b-eagle3-eval-eval"));

  private static final Map<String, List<String>> DEPENDS_ON = Map.of(
      "speculatortraining.yaml", List.of("hiddenstatedataset.yaml"));

  @Test
  void everyClusterExampleProducesItsJobsAndSucceeds() throws IOException {
    List<Path> examples;
    try (Stream<Path> s = Files.list(Path.of("examples"))) {
      examples = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(examples).extracting(p -> p.getFileName().toString())
        .as("every cluster example has expected Jobs here").containsExactlyInAnyOrderElementsOf(EXPECTED_JOBS.keySet());
    for (Path example : examples) {
      String file = example.getFileName().toString();
      Cluster c = new Cluster(client, "ex-" + file.replace(".yaml", "").replace('.', '-').toLowerCase(Locale.ROOT));
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
      Class<? extends HasMetadata> type = switch (doc.get("kind").asText()) {
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
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
      for (Job job : client.batch().v1().jobs().inNamespace(c.namespace).list().getItems()) {
        if (ran.add(job.getMetadata().getName())) {
          String component = job.getMetadata().getLabels().get("app.kubernetes.io/component");
          int shards = job.getSpec().getCompletions();
          c.sim.runToSuccess(job, component, i -> switch (component) {
            case "datagen" -> Summaries.datagen(i, shards, 1000, 100_000, 1_000_000, i == shards - 1);
            case "train" -> Summaries.train(5, 2.1);
            default -> Summaries.eval(2.2);
          });
        }
      }
      return applied.stream().allMatch(r -> "Succeeded".equals(phase(c, r)));
    });
    assertThat(ran).as("Jobs of the example in %s", c.namespace).containsExactlyInAnyOrderElementsOf(expectedJobs);
    for (HasMetadata r : applied) {
      var status = c.get(typeOf(r), r.getMetadata().getName()).getStatus();
      assertThat(((dev.speculators.api.common.ResourceStatus) status).condition("Ready").orElseThrow().getStatus())
          .isEqualTo("True");
    }
  }

  @SuppressWarnings("unchecked")
  private static Class<? extends io.fabric8.kubernetes.client.CustomResource<?, ?>> typeOf(HasMetadata r) {
    return (Class<? extends io.fabric8.kubernetes.client.CustomResource<?, ?>>) r.getClass();
  }

  private String phase(Cluster c, HasMetadata r) {
    Object s = c.get(typeOf(r), r.getMetadata().getName()).getStatus();
    if (s == null) {
      return null;
    }
    return client.getKubernetesSerialization().convertValue(s, JsonNode.class).path("phase").asText(null);
  }
}
