package dev.speculators.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.speculators.io.hub.FakeHubServer;
import dev.speculators.io.hub.HfHub;
import dev.speculators.io.hub.RepoType;
import dev.speculators.operator.pods.VllmServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LayerIdsCommandTest {
  @TempDir Path tmp;

  private record Run(int code, String out, String err) {}

  private Run run(HfHub hub, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        new CommandLine(
                new LayerIdsCommand(
                    hub,
                    new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8)))
            .execute(args);
    return new Run(
        code,
        out.toString(StandardCharsets.UTF_8).trim(),
        err.toString(StandardCharsets.UTF_8).trim());
  }

  @Test
  void aLocalModelGetsTheEagle3DefaultAndVllmsConfigIsWritten() throws Exception {
    Path model = Files.createDirectories(tmp.resolve("llama"));
    Files.writeString(
        model.resolve("config.json"), "{\"num_hidden_layers\": 32, \"hidden_size\": 4096}");
    Path out = tmp.resolve("run/speculative-config.json");
    Files.createDirectories(out.getParent());
    Run r = run(null, "--model", model.toString(), "--speculative-config", out.toString());
    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo("2,16,29,32");
    assertThat(Files.readString(out))
        .as("the same config the operator writes for explicit ids")
        .isEqualTo(VllmServer.extractionConfig(List.of(2, 16, 29, 32)));
  }

  @Test
  void aMultimodalConfigIsReadFromItsTextConfig() throws Exception {
    Path model = Files.createDirectories(tmp.resolve("vl"));
    Files.writeString(
        model.resolve("config.json"),
        "{\"num_hidden_layers\": 99, \"text_config\": {\"num_hidden_layers\": 28}}");
    assertThat(run(null, "--model", model.toString()).out()).isEqualTo("2,14,25,28");
  }

  @Test
  void aHubModelIsFetchedWithTheTokenAndExplicitIdsAreChecked() throws Exception {
    try (FakeHubServer fake = new FakeHubServer()) {
      fake.addFile(RepoType.MODEL, "org/gated", "config.json", "{\"num_hidden_layers\": 24}");
      fake.gate(RepoType.MODEL, "org/gated", "secret");
      HfHub hub = new HfHub(fake.endpoint(), "secret", tmp.resolve("cache"), false);
      assertThat(run(hub, "--model", "org/gated").out()).isEqualTo("2,12,21,24");
      Run bad = run(hub, "--model", "org/gated", "--layer-ids", "2,30");
      assertThat(bad.code()).isEqualTo(2);
      assertThat(bad.err()).contains("30 is outside 0..24");
      HfHub anonymous = new HfHub(fake.endpoint(), null, tmp.resolve("cache2"), false);
      Run denied = run(anonymous, "--model", "org/gated");
      assertThat(denied.code()).isEqualTo(1);
      assertThat(denied.err()).startsWith("layer-ids: ");
    }
  }

  @Test
  void aConfigWithoutLayersIsRefusedClearly() throws Exception {
    Path model = Files.createDirectories(tmp.resolve("odd"));
    Files.writeString(model.resolve("config.json"), "{\"hidden_size\": 8}");
    Run r = run(null, "--model", model.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("no positive num_hidden_layers");
    Run missing = run(null, "--model", tmp.resolve("missing").toString());
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("missing/config.json does not exist");
  }
}
