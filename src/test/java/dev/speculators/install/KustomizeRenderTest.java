package dev.speculators.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.api.validation.ResourceDocuments;
import dev.speculators.api.validation.ResourceValidator;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kustomization in the repository renders (as {@code kubectl apply -k} would, see {@link
 * Kustomize}) into valid objects: the operator install, the Kind overlay that points it at the
 * harness' images, the ServiceMonitor, and the GitOps pipelines; and every resource of the cluster
 * tiny pipeline passes admission.
 */
class KustomizeRenderTest {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final ResourceValidator VALIDATOR = ResourceValidator.fromClasspath();

  /**
   * Fails on fields the Kubernetes types do not know (a typo kubectl --validate=strict rejects).
   */
  private static HasMetadata typed(ObjectNode o) {
    HasMetadata typed =
        o.path("kind").asText().equals("CustomResourceDefinition")
            ? SERIALIZATION.convertValue(o, CustomResourceDefinition.class)
            : SERIALIZATION.convertValue(o, HasMetadata.class);
    assertThat(typed.getClass().getPackageName())
        .as(o.path("kind").asText())
        .startsWith("io.fabric8.kubernetes.api.model");
    List<String> unknown = new ArrayList<>();
    ManifestsTest.findAdditionalProperties(
        typed,
        typed.getKind() + "/" + typed.getMetadata().getName(),
        unknown,
        new IdentityHashMap<>());
    assertThat(unknown).as("fields Kubernetes does not know").isEmpty();
    return typed;
  }

  private static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type) {
    List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
    assertThat(found).as(type.getSimpleName()).hasSize(1);
    return found.get(0);
  }

  @Test
  void theOperatorInstallRendersIntoValidObjects() throws IOException {
    List<ObjectNode> rendered = Kustomize.render(Path.of("manifests"));
    List<HasMetadata> objects = rendered.stream().map(KustomizeRenderTest::typed).toList();
    assertThat(objects)
        .extracting(HasMetadata::getKind)
        .contains(
            "CustomResourceDefinition",
            "Namespace",
            "ServiceAccount",
            "ClusterRole",
            "ClusterRoleBinding",
            "Role",
            "RoleBinding",
            "Deployment",
            "Service");
    assertThat(
            objects.stream()
                .filter(o -> o instanceof CustomResourceDefinition)
                .map(o -> ((CustomResourceDefinition) o).getSpec().getNames().getKind())
                .collect(Collectors.toSet()))
        .containsExactlyInAnyOrder("HiddenStateDataset", "SpeculatorTraining", "SpeculatorEval");
    for (HasMetadata o : objects) {
      assertThat(o.getMetadata().getLabels())
          .as(o.getKind())
          .containsEntry("app.kubernetes.io/part-of", "speculators-operator");
    }
    assertThat(objects)
        .as("the ServiceMonitor is opt-in")
        .noneMatch(o -> o.getKind().equals("ServiceMonitor"));
  }

  @Test
  void theKindOverlayPointsTheOperatorAndItsWorkloadsAtTheHarnessImages() throws IOException {
    List<HasMetadata> base =
        Kustomize.render(Path.of("manifests")).stream().map(KustomizeRenderTest::typed).toList();
    List<HasMetadata> overlay =
        Kustomize.render(Path.of("e2e", "kind")).stream().map(KustomizeRenderTest::typed).toList();
    assertThat(overlay)
        .extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
        .containsExactlyInAnyOrderElementsOf(
            base.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList());
    var container =
        one(overlay, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getImage()).isEqualTo("speculators/operator:e2e");
    Map<String, String> env =
        container.getEnv().stream()
            .filter(e -> e.getValue() != null)
            .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    assertThat(env)
        .containsEntry("SPECULATORS_WORKER_IMAGE", "speculators/worker:e2e")
        .containsEntry("SPECULATORS_TRAINER_IMAGE", "speculators/trainer:e2e")
        .containsEntry("SPECULATORS_EVAL_IMAGE", "speculators/eval:e2e")
        .as("untouched settings stay")
        .containsKey("SPECULATORS_VLLM_IMAGE");
    assertThat(container.getEnv())
        .extracting(EnvVar::getName)
        .contains("POD_NAME", "POD_NAMESPACE")
        .doesNotHaveDuplicates();
  }

  @Test
  void theServiceMonitorScrapesTheOperatorMetricsService() throws IOException {
    List<ObjectNode> monitoring = Kustomize.render(Path.of("manifests", "monitoring"));
    assertThat(monitoring).hasSize(1);
    JsonNode sm = monitoring.get(0);
    assertThat(sm.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(sm.path("kind").asText()).isEqualTo("ServiceMonitor");
    Service service =
        one(
            Kustomize.render(Path.of("manifests")).stream()
                .map(KustomizeRenderTest::typed)
                .toList(),
            Service.class);
    assertThat(sm.path("metadata").path("namespace").asText())
        .isEqualTo(service.getMetadata().getNamespace());
    sm.path("spec")
        .path("selector")
        .path("matchLabels")
        .fields()
        .forEachRemaining(
            e ->
                assertThat(service.getMetadata().getLabels())
                    .containsEntry(e.getKey(), e.getValue().asText()));
    assertThat(sm.path("spec").path("namespaceSelector").path("matchNames").get(0).asText())
        .isEqualTo(service.getMetadata().getNamespace());
    JsonNode endpoint = sm.path("spec").path("endpoints").get(0);
    assertThat(endpoint.path("port").asText())
        .isEqualTo(service.getSpec().getPorts().get(0).getName());
    assertThat(endpoint.path("path").asText()).isEqualTo("/q/metrics");
  }

  @Test
  void theGitOpsPipelinesRenderAndPassAdmission() throws IOException {
    List<ObjectNode> rendered = Kustomize.render(Path.of("gitops", "pipelines"));
    assertThat(rendered)
        .extracting(o -> o.path("kind").asText())
        .contains("Namespace", "SpeculatorTraining");
    for (ObjectNode o : rendered) {
      if (o.path("apiVersion").asText().startsWith("speculators.dev/")) {
        assertThat(o.path("metadata").path("namespace").asText()).isEqualTo("ml-training");
        VALIDATOR.admitCreate(o).orThrow();
      } else {
        typed(o);
      }
    }
  }

  @Test
  void everyResourceOfTheClusterTinyPipelinePassesAdmission() throws IOException {
    List<ResourceDocuments.Document> docs =
        ResourceDocuments.read(Path.of("e2e", "kind", "tiny-pipeline.yaml"));
    assertThat(docs)
        .extracting(d -> d.node().path("kind").asText())
        .containsExactly("HiddenStateDataset", "SpeculatorTraining", "SpeculatorEval");
    String worker = Files.readString(Path.of("images", "worker", "Dockerfile"));
    for (ResourceDocuments.Document d : docs) {
      JsonNode admitted = VALIDATOR.admitCreate(d.node()).orThrow();
      assertThat(admitted.path("spec").path("engine").asText()).isEqualTo("reference");
      // paths in the worker image: the files exist here and the Dockerfile copies their directory
      for (String path : imagePaths(d.node(), new ArrayList<>())) {
        String relative = path.substring("/opt/speculators/".length());
        assertThat(Path.of(relative)).as(path).exists();
        assertThat(worker)
            .as("images/worker copies %s", path)
            .contains(relative.substring(0, relative.indexOf('/', "examples/local/".length()) + 1));
      }
    }
  }

  private static List<String> imagePaths(JsonNode n, List<String> out) {
    if (n.isTextual() && n.asText().startsWith("/opt/speculators/")) {
      out.add(n.asText());
    }
    n.forEach(c -> imagePaths(c, out));
    return out;
  }

  @Test
  void theRendererRefusesWhatKustomizeRefuses(@TempDir Path dir) throws IOException {
    Files.createDirectories(dir.resolve("base"));
    Files.writeString(
        dir.resolve("outside.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n");
    Files.writeString(
        dir.resolve("base/kustomization.yaml"),
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [../outside.yaml]\n");
    assertThatThrownBy(() -> Kustomize.render(dir.resolve("base")))
        .hasMessageContaining("outside the kustomization root");
    Files.writeString(
        dir.resolve("base/kustomization.yaml"),
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nconfigMapGenerator: []\n");
    assertThatThrownBy(() -> Kustomize.render(dir.resolve("base")))
        .hasMessageContaining("configMapGenerator");
    Files.writeString(
        dir.resolve("base/a.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n");
    Files.writeString(
        dir.resolve("base/kustomization.yaml"),
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml, a.yaml]\n");
    assertThatThrownBy(() -> Kustomize.render(dir.resolve("base")))
        .hasMessageContaining("appears twice");
    assertThat(Kustomize.imageName("reg.example.com:5000/speculators/worker:e2e"))
        .isEqualTo("reg.example.com:5000/speculators/worker");
    assertThat(Kustomize.imageName("speculators/worker")).isEqualTo("speculators/worker");
  }
}
