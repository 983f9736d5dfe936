package dev.speculators.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.api.SpeculatorEval;
import dev.speculators.api.SpeculatorTraining;
import dev.speculators.api.validation.ResourceDocuments;
import dev.speculators.api.validation.ResourceValidator;
import dev.speculators.operator.kube.Labels;
import dev.speculators.operator.kube.WorkloadSettings;
import dev.speculators.operator.testing.Cluster;
import dev.speculators.operator.testing.Summaries;
import dev.speculators.operator.testing.TestOperator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Resources kept in Git stay in sync: for every example (and the GitOps and Kind pipelines), the
 * real controllers run it to Succeeded on the mock API server and never write a spec or bump a
 * generation, of the applied resources or of those they create; what the operator resolves (default
 * layer ids, preset datasets, shard counts) appears in status only, and a later edit of a mutable
 * field is observed without being written back.
 */
@EnableKubernetesMockClient(crud = true)
class SpecStabilityTest {
  static KubernetesMockServer server;
  static KubernetesClient client;
  private static TestOperator operator;

  private static final ResourceValidator VALIDATOR = ResourceValidator.fromClasspath();
  private static final Map<String, Class<? extends CustomResource<?, ?>>> KINDS =
      Map.of(
          "HiddenStateDataset", HiddenStateDataset.class,
          "SpeculatorTraining", SpeculatorTraining.class,
          "SpeculatorEval", SpeculatorEval.class);

  /** Examples that name a resource of another example. */
  private static final Map<String, String> DEPENDS_ON =
      Map.of("examples/speculatortraining.yaml", "examples/hiddenstatedataset.yaml");

  /** What datagen reports as the layer ids it resolved, for datasets without spec.layerIds. */
  private static final List<Integer> RESOLVED_LAYERS = List.of(2, 16, 29, 32);

  @BeforeAll
  static void start() {
    TestOperator.installCrds(client);
    operator =
        TestOperator.start(
            client, WorkloadSettings.defaults().withProgressLogInterval(Duration.ZERO));
  }

  @AfterAll
  static void stop() {
    operator.close();
  }

  static Stream<String> resourceFiles() throws IOException {
    List<String> files = new ArrayList<>();
    try (Stream<Path> s = Files.walk(Path.of("examples"))) {
      s.filter(p -> p.toString().endsWith(".yaml") && !p.startsWith(Path.of("examples", "local")))
          .map(Path::toString)
          .sorted()
          .forEach(files::add);
    }
    files.add("e2e/kind/tiny-pipeline.yaml");
    files.add("gitops/pipelines/llama31-8b-eagle3.yaml");
    return files.stream();
  }

  @ParameterizedTest
  @MethodSource("resourceFiles")
  void theOperatorWritesStatusOnly(String file) throws IOException {
    Cluster c =
        new Cluster(
            client,
            "stable-"
                + file.replaceAll("[^a-z0-9]+", "-")
                    .toLowerCase(Locale.ROOT)
                    .replaceAll("^-|-$", ""));
    Map<String, JsonNode> applied = new LinkedHashMap<>();
    if (DEPENDS_ON.containsKey(file)) {
      applied.putAll(apply(c, Path.of(DEPENDS_ON.get(file))));
    }
    applied.putAll(apply(c, Path.of(file)));

    runEveryJobToSuccess(c);

    List<HasMetadata> all = allResources(c);
    assertThat(all.size())
        .as("resources, with those the operator created")
        .isGreaterThanOrEqualTo(applied.size());
    for (HasMetadata r : all) {
      String id = r.getKind() + "/" + r.getMetadata().getName();
      JsonNode now = json(r);
      assertThat(r.getMetadata().getGeneration())
          .as("%s: generation (a spec write bumps it)", id)
          .isEqualTo(1L);
      assertThat(r.getMetadata().getFinalizers()).as("%s: finalizers", id).isNullOrEmpty();
      assertThat(now.path("status").path("observedGeneration").asLong())
          .as("%s observed", id)
          .isEqualTo(1L);
      if (applied.containsKey(id)) {
        assertThat(now.path("spec"))
            .as("%s: spec as applied", id)
            .isEqualTo(applied.get(id).path("spec"));
        assertThat(now.path("metadata").path("labels"))
            .as("%s: labels", id)
            .isEqualTo(applied.get(id).path("metadata").path("labels"));
        assertThat(now.path("metadata").path("annotations"))
            .as("%s: annotations", id)
            .isEqualTo(applied.get(id).path("metadata").path("annotations"));
      }
      assertResolvedValuesInStatus(id, now);
    }

    // a later edit of a mutable field is observed, and the spec stays what the user wrote
    HasMetadata first = all.get(0);
    ObjectNode edited = (ObjectNode) json(first);
    ((ObjectNode) edited.with("spec")).put("queueName", "team-b");
    edited.remove("status");
    VALIDATOR.admitUpdate(json(first), edited).orThrow(); // queueName may change after creation
    client
        .resource(
            client.getKubernetesSerialization().convertValue(edited, KINDS.get(first.getKind())))
        .update();
    HasMetadata observed =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    client
                        .resources(KINDS.get(first.getKind()))
                        .inNamespace(c.namespace)
                        .withName(first.getMetadata().getName())
                        .get(),
                r -> json(r).path("status").path("observedGeneration").asLong() == 2L);
    assertThat(observed.getMetadata().getGeneration()).isEqualTo(2L);
    assertThat(json(observed).path("spec")).isEqualTo(edited.path("spec"));
  }

  /**
   * Values the operator works out for itself are in the status; the spec keeps the user's absence.
   */
  private static void assertResolvedValuesInStatus(String id, JsonNode r) {
    JsonNode spec = r.path("spec");
    JsonNode status = r.path("status");
    switch (r.path("kind").asText()) {
      case "HiddenStateDataset" -> {
        List<Integer> expected = new ArrayList<>();
        (spec.has("layerIds")
                ? spec.get("layerIds")
                : client.getKubernetesSerialization().convertValue(RESOLVED_LAYERS, JsonNode.class))
            .forEach(n -> expected.add(n.asInt()));
        List<Integer> resolved = new ArrayList<>();
        status.path("results").path("resolvedLayerIds").forEach(n -> resolved.add(n.asInt()));
        assertThat(resolved).as("%s: resolved layer ids", id).isEqualTo(expected);
        assertThat(status.path("progress").path("shardsTotal").asInt())
            .as("%s: shards", id)
            .isEqualTo(spec.path("shards").asInt(1));
      }
      case "SpeculatorEval" -> {
        int benchmarks = status.path("progress").path("benchmarksTotal").asInt();
        assertThat(benchmarks)
            .as("%s: benchmarks from the datasets or the preset", id)
            .isPositive();
        if (!spec.has("datasets")) {
          assertThat(spec.has("preset")).as("%s: datasets come from the preset", id).isTrue();
        }
      }
      case "SpeculatorTraining" ->
          assertThat(status.path("results").path("finalPath").asText())
              .as("%s: the speculator", id)
              .isNotBlank();
      default -> throw new IllegalArgumentException(id);
    }
  }

  private Map<String, JsonNode> apply(Cluster c, Path file) throws IOException {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    for (ResourceDocuments.Document d : ResourceDocuments.read(file)) {
      JsonNode admitted = VALIDATOR.admitCreate(d.node()).orThrow();
      CustomResource<?, ?> r =
          client
              .getKubernetesSerialization()
              .convertValue(admitted, KINDS.get(admitted.path("kind").asText()));
      r.getMetadata().setNamespace(c.namespace);
      HasMetadata created = client.resource(r).create();
      out.put(created.getKind() + "/" + created.getMetadata().getName(), json(created));
    }
    return out;
  }

  /** Plays every Job the operator creates to success, with summaries in the workers' shape. */
  private static void runEveryJobToSuccess(Cluster c) {
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
                  List<Integer> layers = reportedLayers(c, job);
                  c.sim.runToSuccess(
                      job,
                      component,
                      i ->
                          switch (component) {
                            case "datagen" -> datagenSummary(i, shards, layers);
                            case "train" -> Summaries.train(3, 2.1);
                            default -> Summaries.eval(2.2);
                          });
                }
              }
              return allResources(c).stream()
                  .allMatch(r -> "Succeeded".equals(json(r).path("status").path("phase").asText()));
            });
  }

  /**
   * The layer ids datagen reports: the dataset's own, or the defaults it resolved from the model.
   */
  private static List<Integer> reportedLayers(Cluster c, Job job) {
    String owner = job.getMetadata().getAnnotations().get(Labels.OWNER_NAME);
    HasMetadata dataset =
        owner == null
            ? null
            : client
                .resources(HiddenStateDataset.class)
                .inNamespace(c.namespace)
                .withName(owner)
                .get();
    if (dataset == null || json(dataset).path("spec").path("layerIds").isMissingNode()) {
      return RESOLVED_LAYERS;
    }
    List<Integer> ids = new ArrayList<>();
    json(dataset).path("spec").path("layerIds").forEach(n -> ids.add(n.asInt()));
    return ids;
  }

  private static String datagenSummary(int shard, int shards, List<Integer> layers) {
    ObjectNode s =
        (ObjectNode)
            client
                .getKubernetesSerialization()
                .convertValue(
                    client
                        .getKubernetesSerialization()
                        .unmarshal(
                            Summaries.datagen(
                                shard, shards, 100, 10_000, 100_000, shard == shards - 1),
                            JsonNode.class),
                    JsonNode.class);
    s.set("layerIds", client.getKubernetesSerialization().convertValue(layers, JsonNode.class));
    return s.toString();
  }

  private static List<HasMetadata> allResources(Cluster c) {
    List<HasMetadata> out = new ArrayList<>();
    for (Class<? extends CustomResource<?, ?>> type :
        List.of(HiddenStateDataset.class, SpeculatorTraining.class, SpeculatorEval.class)) {
      out.addAll(client.resources(type).inNamespace(c.namespace).list().getItems());
    }
    return out;
  }

  private static JsonNode json(HasMetadata r) {
    return client.getKubernetesSerialization().convertValue(r, JsonNode.class);
  }
}
