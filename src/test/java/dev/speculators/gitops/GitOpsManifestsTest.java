package dev.speculators.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.speculators.api.validation.ResourceDocuments;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The GitOps samples under {@code gitops/} parse, point at paths that exist in this repository, and
 * install the health check for exactly the kinds the CRDs define.
 */
class GitOpsManifestsTest {
  private static final Path GITOPS = Path.of("gitops");

  /** Group and kinds of the CRDs in crds/. */
  static Set<String> crdKinds() throws IOException {
    Set<String> kinds;
    try (Stream<Path> files = Files.list(Path.of("crds"))) {
      kinds =
          files
              .filter(p -> p.toString().endsWith("-v1.yml"))
              .map(
                  p -> {
                    try {
                      JsonNode crd = ResourceDocuments.read(p).get(0).node();
                      return crd.path("spec").path("group").asText()
                          + "/"
                          + crd.path("spec").path("names").path("kind").asText();
                    } catch (IOException e) {
                      throw new IllegalStateException(e);
                    }
                  })
              .collect(Collectors.toSet());
    }
    return kinds;
  }

  @Test
  void argoCdConfigMapPatchInstallsHealthLuaForEveryKind() throws IOException {
    ConfigMap cm =
        new KubernetesSerialization()
            .convertValue(
                ResourceDocuments.read(GITOPS.resolve("argocd/argocd-cm-patch.yaml")).get(0).node(),
                ConfigMap.class);
    assertThat(cm.getMetadata().getName()).isEqualTo("argocd-cm");
    assertThat(cm.getMetadata().getNamespace()).isEqualTo("argocd");
    String script = HealthChecks.argoScript();
    Set<String> expectedKeys =
        crdKinds().stream()
            .map(k -> "resource.customizations.health." + k.replace('/', '_'))
            .collect(Collectors.toSet());
    assertThat(cm.getData().keySet()).containsExactlyInAnyOrderElementsOf(expectedKeys);
    for (Map.Entry<String, String> e : cm.getData().entrySet()) {
      assertThat(e.getValue())
          .as(
              "%s is gitops/argocd/health.lua (copy it again after changing the script)",
              e.getKey())
          .isEqualTo(script);
    }
  }

  @Test
  void argoCdApplicationsPointAtKustomizationsInThisRepository() throws IOException {
    List<JsonNode> apps = nodes(GITOPS.resolve("argocd/application.yaml"));
    assertThat(apps)
        .extracting(a -> a.path("metadata").path("name").asText())
        .containsExactly("speculators-operator", "speculators-pipelines");
    for (JsonNode app : apps) {
      assertThat(app.path("apiVersion").asText()).isEqualTo("argoproj.io/v1alpha1");
      assertThat(app.path("kind").asText()).isEqualTo("Application");
      String path = app.path("spec").path("source").path("path").asText();
      assertThat(Path.of(path).resolve("kustomization.yaml")).as("source.path %s", path).exists();
      assertThat(app.path("spec").path("destination").path("namespace").asText()).isNotBlank();
      assertThat(app.path("spec").path("project").asText()).isNotBlank();
    }
  }

  @Test
  void fluxKustomizationsUseTheGitRepositoryAndCheckEveryKind() throws IOException {
    JsonNode repo = nodes(GITOPS.resolve("flux/gitrepository.yaml")).get(0);
    assertThat(repo.path("kind").asText()).isEqualTo("GitRepository");
    List<JsonNode> kustomizations = new ArrayList<>();
    kustomizations.addAll(nodes(GITOPS.resolve("flux/operator.yaml")));
    kustomizations.addAll(nodes(GITOPS.resolve("flux/pipelines.yaml")));
    for (JsonNode k : kustomizations) {
      assertThat(k.path("apiVersion").asText()).isEqualTo("kustomize.toolkit.fluxcd.io/v1");
      assertThat(k.path("kind").asText()).isEqualTo("Kustomization");
      assertThat(k.path("spec").path("sourceRef").path("name").asText())
          .isEqualTo(repo.path("metadata").path("name").asText());
      String path = k.path("spec").path("path").asText();
      assertThat(Path.of(path).resolve("kustomization.yaml")).as("path %s", path).exists();
    }
    JsonNode pipelines = kustomizations.get(1);
    assertThat(pipelines.path("spec").path("dependsOn").get(0).path("name").asText())
        .isEqualTo(kustomizations.get(0).path("metadata").path("name").asText());
    assertThat(pipelines.path("spec").path("wait").asBoolean()).isTrue();
    Set<String> checked =
        HealthChecks.fluxExpressions().keySet().stream()
            .map(k -> k.replace("/v1alpha1/", "/"))
            .collect(Collectors.toSet());
    assertThat(checked).containsExactlyInAnyOrderElementsOf(crdKinds());
    HealthChecks.fluxExpressions()
        .values()
        .forEach(
            exprs -> {
              assertThat(exprs).containsKeys("current", "failed");
              exprs.values().forEach(HealthChecks::program); // parses, as Flux parses it
            });
  }

  private static List<JsonNode> nodes(Path file) throws IOException {
    return ResourceDocuments.read(file).stream().map(ResourceDocuments.Document::node).toList();
  }
}
