package dev.speculators.operator.pods;

import static org.assertj.core.api.Assertions.assertThat;

import dev.speculators.operator.kube.WorkloadSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every place that names the default vLLM image names a release at or after {@link
 * VllmServer#MINIMUM_VERSION}, whose hidden-states connector writes from tensor-parallel rank 0
 * only, and the README states that minimum.
 */
class VllmPinTest {
  private static final Pattern TAG = Pattern.compile("vllm/vllm-openai:v(\\d+\\.\\d+\\.\\d+)");

  private static int[] version(String v) {
    return Arrays.stream(v.split("\\.")).mapToInt(Integer::parseInt).toArray();
  }

  private static boolean atLeast(String v, String min) {
    return Arrays.compare(version(v), version(min)) >= 0;
  }

  @Test
  void theDefaultImageIsAtOrAfterTheMinimumEverywhereItIsNamed() throws IOException {
    List<String> sources =
        List.of(
            WorkloadSettings.defaults().vllmImage(),
            Files.readString(Path.of("src/main/resources/application.properties")),
            Files.readString(Path.of("manifests/deployment.yaml")));
    for (String s : sources) {
      Matcher m = TAG.matcher(s);
      assertThat(m.find()).as("a vLLM image in %s", s.lines().findFirst().orElse("")).isTrue();
      do {
        assertThat(atLeast(m.group(1), VllmServer.MINIMUM_VERSION))
            .as("vllm/vllm-openai:v%s is older than %s", m.group(1), VllmServer.MINIMUM_VERSION)
            .isTrue();
      } while (m.find());
    }
    assertThat(atLeast("0.22.0", VllmServer.MINIMUM_VERSION))
        .as("v0.22 writes hidden states from every rank")
        .isFalse();
  }

  @Test
  void theDocsStateTheMinimumVersion() throws IOException {
    String docs = Files.readString(Path.of("README.md"));
    if (Files.isDirectory(Path.of("docs"))) {
      try (var files = Files.walk(Path.of("docs"))) {
        for (Path p : files.filter(p -> p.toString().endsWith(".md")).toList()) {
          docs += Files.readString(p);
        }
      }
    }
    assertThat(docs).contains("vLLM " + VllmServer.MINIMUM_VERSION + " or later");
  }
}
