package dev.speculators.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What can be checked of {@code e2e/kind/run.sh} without Docker: it parses, it refuses to start
 * without its tools (before touching any cluster), and it names the files and commands the rest of
 * the harness provides.
 */
class KindScriptTest {
  private static final Path SCRIPT = Path.of("e2e", "kind", "run.sh");

  private static Path bash() {
    for (String p : List.of("/bin/bash", "/usr/bin/bash")) {
      if (Files.isExecutable(Path.of(p))) {
        return Path.of(p);
      }
    }
    assumeTrue(false, "bash is not available");
    return null;
  }

  @Test
  void parses() throws Exception {
    Process p =
        new ProcessBuilder(bash().toString(), "-n", SCRIPT.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  @Test
  void refusesToStartWithoutItsTools(@TempDir Path bin) throws Exception {
    // a PATH with only what the script needs to find its own directory: no docker, kind, kubectl
    for (String tool : List.of("dirname")) {
      for (String dir : List.of("/usr/bin", "/bin")) {
        if (Files.isExecutable(Path.of(dir, tool)) && !Files.exists(bin.resolve(tool))) {
          Files.createSymbolicLink(bin.resolve(tool), Path.of(dir, tool));
        }
      }
    }
    ProcessBuilder pb =
        new ProcessBuilder(bash().toString(), SCRIPT.toString()).redirectErrorStream(true);
    pb.environment().put("PATH", bin.toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(1);
    assertThat(out).contains("'docker' is not installed").doesNotContain("creating kind cluster");
  }

  @Test
  void usesTheHarnessFilesAndTheBuildScript() throws Exception {
    String script = Files.readString(SCRIPT);
    assertThat(script)
        .contains("images/build.sh\" --tag e2e --only operator,worker --kind-load")
        .contains("apply -k \"$ROOT/e2e/kind\"")
        .contains("e2e/kind/tiny-pipeline.yaml")
        .contains("wait --for=condition=Ready")
        .contains("untrainedMeanAcceptanceLength");
    assertThat(Path.of("e2e", "kind", "kustomization.yaml")).exists();
    assertThat(TinyPipeline.FILE).exists();
    assertThat(Files.isExecutable(SCRIPT)).as("run.sh is executable").isTrue();
    assertThat(Files.isExecutable(Path.of("images", "build.sh")))
        .as("build.sh is executable")
        .isTrue();
  }
}
