package dev.speculators.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.speculators.api.validation.ResourceDocuments;
import dev.speculators.operator.runtime.OperatorSettings;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.smallrye.config.WithDefault;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The four images, the build script, the install manifests and the operator's defaults agree: the
 * same names and tags everywhere, base images pinned, every image runs as the non-root user the
 * operator puts into the pods, and the build context holds what the Dockerfiles copy.
 */
class ImageReferencesTest {
  private static final List<String> IMAGES = List.of("operator", "worker", "trainer", "eval");
  private static final Pattern FROM =
      Pattern.compile("(?m)^FROM\\s+(\\S+)(?:\\s+AS\\s+(\\S+))?\\s*$");
  private static final Pattern ARG = Pattern.compile("(?m)^ARG\\s+([A-Z_]+)=(\\S+)\\s*$");
  private static final Pattern USER = Pattern.compile("(?m)^USER\\s+(\\S+)\\s*$");
  private static final Pattern COPY = Pattern.compile("(?m)^COPY\\s+(.*)$");

  /** The release the images are tagged with: the project version without -SNAPSHOT. */
  static String release() throws IOException {
    String pom = Files.readString(Path.of("pom.xml"));
    Matcher m =
        Pattern.compile(
                "<artifactId>speculators-operator</artifactId>\\s*<version>([^<]+)</version>")
            .matcher(pom);
    assertThat(m.find()).as("project version in pom.xml").isTrue();
    return m.group(1).replaceFirst("-SNAPSHOT$", "");
  }

  @ParameterizedTest
  @ValueSource(strings = {"operator", "worker", "trainer", "eval"})
  void baseImagesArePinned(String image) throws IOException {
    String dockerfile = Files.readString(Path.of("images", image, "Dockerfile"));
    Map<String, String> args = new HashMap<>();
    Matcher a = ARG.matcher(dockerfile);
    while (a.find()) {
      args.put(a.group(1), a.group(2));
    }
    List<String> stages = new ArrayList<>();
    Matcher f = FROM.matcher(dockerfile);
    while (f.find()) {
      String ref = f.group(1);
      Matcher var = Pattern.compile("\\$\\{([A-Z_]+)}").matcher(ref);
      if (var.matches()) {
        assertThat(args).as("%s: default of ARG %s", image, var.group(1)).containsKey(var.group(1));
        ref = args.get(var.group(1));
      }
      if (stages.contains(ref)) {
        continue; // FROM an earlier stage
      }
      String tag = ref.substring(ref.lastIndexOf('/') + 1);
      assertThat(tag).as("%s: base image %s has a tag", image, ref).contains(":");
      String version = tag.substring(tag.indexOf(':') + 1);
      assertThat(version)
          .as("%s: base image %s is pinned to a version", image, ref)
          .isNotEqualTo("latest")
          .containsPattern("\\d");
      if (f.group(2) != null) {
        stages.add(f.group(2));
      }
    }
    assertThat(FROM.matcher(dockerfile).results().count()).as("%s: FROM lines", image).isPositive();
  }

  @Test
  void everyImageRunsAsTheUserTheOperatorSets() throws Exception {
    Deployment operator = deployment();
    Map<String, Long> expected =
        Map.of(
            "operator",
                operator.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser(),
            "worker", settingDefault("workerUserId"),
            "trainer", settingDefault("trainerUserId"),
            "eval", settingDefault("evalUserId"));
    for (String image : IMAGES) {
      String dockerfile = Files.readString(Path.of("images", image, "Dockerfile"));
      List<String> users = USER.matcher(dockerfile).results().map(m -> m.group(1)).toList();
      assertThat(users).as("%s: USER lines", image).isNotEmpty();
      String last = users.get(users.size() - 1);
      long uid = Long.parseLong(last.split(":")[0]);
      assertThat(uid).as("%s: the final USER is a numeric non-root user", image).isPositive();
      assertThat(uid)
          .as("%s: the final USER is the one the operator runs it as", image)
          .isEqualTo(expected.get(image));
    }
  }

  @Test
  void applicationFilesAreOwnedByRoot() throws IOException {
    for (String image : IMAGES) {
      String dockerfile = Files.readString(Path.of("images", image, "Dockerfile"));
      COPY.matcher(dockerfile)
          .results()
          .map(m -> m.group(1))
          .filter(line -> line.contains("target/quarkus-app"))
          .forEach(line -> assertThat(line).as("%s: %s", image, line).doesNotContain("--chown"));
    }
  }

  @Test
  void manifestsAndDefaultsNameTheBuiltImages() throws IOException {
    String tag = release();
    Container c = deployment().getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getImage()).isEqualTo("speculators/operator:" + tag);
    Map<String, String> env =
        c.getEnv().stream()
            .filter(e -> e.getValue() != null)
            .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    assertThat(env)
        .containsEntry("SPECULATORS_WORKER_IMAGE", "speculators/worker:" + tag)
        .containsEntry("SPECULATORS_TRAINER_IMAGE", "speculators/trainer:" + tag)
        .containsEntry("SPECULATORS_EVAL_IMAGE", "speculators/eval:" + tag);
    Properties p = new Properties();
    try (InputStream in =
        Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
      p.load(in);
    }
    assertThat(p.getProperty("speculators.worker-image"))
        .isEqualTo(env.get("SPECULATORS_WORKER_IMAGE"));
    assertThat(p.getProperty("speculators.trainer-image"))
        .isEqualTo(env.get("SPECULATORS_TRAINER_IMAGE"));
    assertThat(p.getProperty("speculators.eval-image"))
        .isEqualTo(env.get("SPECULATORS_EVAL_IMAGE"));
    assertThat(p.getProperty("speculators.vllm-image"))
        .isEqualTo(env.get("SPECULATORS_VLLM_IMAGE"));
  }

  @Test
  void buildScriptBuildsTheFourImagesWithTheManifestsNames() throws Exception {
    String defaults = buildScript("--dry-run");
    String tag = release();
    for (String image : IMAGES) {
      assertThat(defaults)
          .contains(
              "+ docker build -f images/"
                  + image
                  + "/Dockerfile --build-arg VERSION="
                  + tag
                  + " -t speculators/"
                  + image
                  + ":"
                  + tag
                  + " .");
    }
    assertThat(defaults).doesNotContain("kind load", "docker push");

    String custom =
        buildScript(
            "--dry-run",
            "--repository",
            "registry.example.com/ml/",
            "--tag",
            "e2e",
            "--only",
            "worker,eval",
            "--kind-load",
            "speculators-e2e",
            "--push",
            "--builder",
            "podman");
    assertThat(custom)
        .contains(
            "+ podman build -f images/worker/Dockerfile --build-arg VERSION=e2e"
                + " -t registry.example.com/ml/worker:e2e .")
        .contains("+ podman push registry.example.com/ml/eval:e2e")
        .contains(
            "+ kind load docker-image registry.example.com/ml/worker:e2e --name speculators-e2e")
        .contains("SPECULATORS_WORKER_IMAGE=registry.example.com/ml/worker:e2e")
        .doesNotContain("images/operator/Dockerfile", "images/trainer/Dockerfile");
  }

  @Test
  void buildScriptRejectsBadArguments() throws Exception {
    assertThat(runScript("--only", "gpu"))
        .satisfies(
            r -> {
              assertThat(r.code()).isEqualTo(2);
              assertThat(r.output()).contains("unknown image 'gpu'");
            });
    assertThat(runScript("--tag", "no spaces allowed").code()).isEqualTo(2);
    assertThat(runScript("--repository").output()).contains("--repository needs a value");
  }

  @Test
  void buildContextHoldsWhatTheDockerfilesCopy() throws IOException {
    List<String> allowed =
        Files.readAllLines(Path.of(".dockerignore")).stream()
            .filter(l -> l.startsWith("!"))
            .map(l -> l.substring(1))
            .toList();
    assertThat(Files.readAllLines(Path.of(".dockerignore"))).contains("*");
    for (String image : IMAGES) {
      String dockerfile = Files.readString(Path.of("images", image, "Dockerfile"));
      for (String line : COPY.matcher(dockerfile).results().map(m -> m.group(1)).toList()) {
        if (line.startsWith("--from")) {
          continue;
        }
        String source = line.split("\\s+")[0];
        assertThat(allowed)
            .as("%s: COPY %s is in the build context", image, source)
            .anySatisfy(a -> assertThat(source).startsWith(a));
        assertThat(Path.of(source))
            .as("%s: COPY source", image)
            .satisfiesAnyOf(
                p -> assertThat(source).startsWith("target/"), p -> assertThat(p).exists());
      }
    }
  }

  private static long settingDefault(String method) throws NoSuchMethodException {
    return Long.parseLong(
        OperatorSettings.class.getMethod(method).getAnnotation(WithDefault.class).value());
  }

  private static Deployment deployment() throws IOException {
    return new KubernetesSerialization()
        .convertValue(
            ResourceDocuments.read(Path.of("manifests", "deployment.yaml")).get(0).node(),
            Deployment.class);
  }

  record Result(int code, String output) {}

  private static String buildScript(String... args) throws Exception {
    Result r = runScript(args);
    assertThat(r.code()).as(r.output()).isZero();
    return r.output();
  }

  private static Result runScript(String... args) throws Exception {
    assumeTrue(
        Files.isExecutable(Path.of("/bin/bash")) || Files.isExecutable(Path.of("/usr/bin/bash")),
        "bash is not available");
    List<String> command = new ArrayList<>(List.of("bash", "images/build.sh"));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().remove("SPECULATORS_IMAGE_REPOSITORY");
    pb.environment().remove("SPECULATORS_IMAGE_TAG");
    pb.environment().remove("CONTAINER_BUILDER");
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out);
  }
}
