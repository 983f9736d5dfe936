package dev.speculators.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.crdv2.generator.CRDGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed CRDs under {@code crds/} must be exactly what the build generates from the API
 * classes. To update them after changing the API, run {@code mvn test -Dtest=CrdSyncTest
 * -Dcrds.update=true}.
 */
class CrdSyncTest {
  static final Path CRDS = Path.of("crds");
  private static final String HOW_TO_UPDATE =
      "run: mvn -B test -Dtest=CrdSyncTest -Dcrds.update=true   (then commit crds/)";

  @Test
  void committedCrdsMatchTheApiClasses(@TempDir Path out) throws IOException {
    new CRDGenerator()
        .customResourceClasses(
            HiddenStateDataset.class, SpeculatorTraining.class, SpeculatorEval.class)
        .forCRDVersions("v1")
        .inOutputDir(out.toFile())
        .generate();
    List<Path> generated;
    try (Stream<Path> s = Files.list(out)) {
      generated = s.filter(p -> p.toString().endsWith("-v1.yml")).sorted().toList();
    }
    assertThat(generated).hasSize(3);

    boolean update = Boolean.getBoolean("crds.update");
    List<String> stale = new ArrayList<>();
    for (Path g : generated) {
      Path committed = CRDS.resolve(g.getFileName());
      String want = ordered(g);
      if (update) {
        Files.createDirectories(CRDS);
        Files.writeString(committed, want);
      } else if (!Files.exists(committed) || !Files.readString(committed).equals(want)) {
        stale.add(committed.toString());
      }
    }
    if (!stale.isEmpty()) {
      fail("CRDs differ from the API classes: " + stale + "\n" + HOW_TO_UPDATE);
    }
  }

  @Test
  void committedCrdsMatchTheQuarkusBuildOutput() throws IOException {
    Path built = Path.of("target", "kubernetes");
    long apiCompiled = newestApiClass();
    for (String name : crdFileNames()) {
      Path b = built.resolve(name);
      // The Quarkus build writes them (in package, and when a @QuarkusTest starts); a file older
      // than the compiled API classes comes from an earlier build and proves nothing.
      assumeTrue(
          Files.exists(b) && Files.getLastModifiedTime(b).toMillis() >= apiCompiled,
          "no up-to-date Quarkus build output in target/kubernetes");
      assertThat(Files.readString(CRDS.resolve(name)))
          .as("crds/%s differs from target/kubernetes/%s; %s", name, name, HOW_TO_UPDATE)
          .isEqualTo(ordered(b));
    }
  }

  @Test
  void kustomizationListsEveryCrdFile() throws IOException {
    JsonNode k = new YAMLMapper().readTree(CRDS.resolve("kustomization.yaml").toFile());
    TreeSet<String> listed = new TreeSet<>();
    k.path("resources").forEach(r -> listed.add(r.asText()));
    assertThat(listed).containsExactlyElementsOf(new TreeSet<>(crdFileNames()));
  }

  @Test
  void everyCrdHasStatusSubresourcePrinterColumnsAndRules() throws IOException {
    for (String name : crdFileNames()) {
      JsonNode crd = new YAMLMapper().readTree(CRDS.resolve(name).toFile());
      JsonNode version = crd.path("spec").path("versions").get(0);
      assertThat(crd.path("spec").path("group").asText()).isEqualTo(ApiGroup.GROUP);
      assertThat(crd.path("spec").path("scope").asText()).isEqualTo("Namespaced");
      assertThat(crd.path("spec").path("names").path("categories").toString())
          .contains("speculators");
      assertThat(version.path("name").asText()).isEqualTo(ApiGroup.VERSION);
      assertThat(version.path("subresources").has("status")).as(name).isTrue();
      List<String> columns = new ArrayList<>();
      version.path("additionalPrinterColumns").forEach(c -> columns.add(c.path("name").asText()));
      assertThat(columns).as(name).contains("Phase", "Progress", "Age");
      assertThat(version.toString()).as(name).contains("x-kubernetes-validations");
    }
  }

  @Test
  void printerColumnsAreInDeclarationOrderWithAgeAfterTheStatusColumns() throws IOException {
    for (String name : crdFileNames()) {
      JsonNode crd = new YAMLMapper().readTree(CRDS.resolve(name).toFile());
      List<String> shown = new ArrayList<>();
      crd.path("spec")
          .path("versions")
          .get(0)
          .path("additionalPrinterColumns")
          .forEach(
              c -> {
                if (c.path("priority").asInt() == 0) {
                  shown.add(c.path("name").asText());
                }
              });
      assertThat(shown).as(name).startsWith("Phase", "Progress", "ETA").endsWith("Age");
    }
  }

  /** The generated CRD with its printer columns in the resource class's declaration order. */
  private static String ordered(Path generated) throws IOException {
    return PrinterColumnOrder.of(Files.readString(generated));
  }

  private static long newestApiClass() throws IOException {
    Path classes = Path.of("target", "classes", "dev", "speculators", "api");
    try (Stream<Path> s = Files.walk(classes)) {
      return s.filter(p -> p.toString().endsWith(".class"))
          .mapToLong(
              p -> {
                try {
                  return Files.getLastModifiedTime(p).toMillis();
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              })
          .max()
          .orElse(0);
    }
  }

  static List<String> crdFileNames() throws IOException {
    try (Stream<Path> s = Files.list(CRDS)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith("-v1.yml"))
          .sorted()
          .toList();
    }
  }
}
