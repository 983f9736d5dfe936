package dev.speculators.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.speculators.cli.DatagenCommand;
import dev.speculators.datagen.DatagenWorker;
import dev.speculators.io.HostTensor;
import dev.speculators.io.dataset.SampleFile;
import dev.speculators.io.hub.FakeHubServer;
import dev.speculators.io.hub.HfHub;
import dev.speculators.io.hub.RepoType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code datagen --engine reference}: the worker finds the reference engine through the service
 * loader and writes the target's hidden states at the requested vLLM layer ids.
 */
class DatagenReferenceEngineTest {
  private static final Path TINY = Path.of("examples/local/tiny-model");

  @Test
  void aHubTargetGetsItsWeightsFetched(@TempDir Path tmp) throws Exception {
    try (FakeHubServer server = new FakeHubServer()) {
      try (var files = Files.list(TINY)) {
        for (Path f : files.toList()) {
          server.addFile(
              RepoType.MODEL,
              "org/tiny",
              f.getFileName().toString(),
              Files.readAllBytes(f),
              f.toString().endsWith(".safetensors"));
        }
      }
      HfHub hub =
          new HfHub(server.endpoint(), null, tmp.resolve("cache"), false, HfHub.Options.defaults());
      Path chats = tmp.resolve("chats.jsonl");
      Files.write(
          chats,
          Files.readAllLines(Path.of("examples/local/data/conversations.jsonl")).subList(0, 2));
      List<String> log = new ArrayList<>();
      DatagenWorker.Dependencies deps =
          new DatagenWorker.Dependencies(hub, null, new ReferenceEngineFactory(() -> hub));
      int code =
          new CommandLine(new DatagenCommand(log::add, deps))
              .execute(
                  "--engine",
                  "reference",
                  "--model",
                  "org/tiny",
                  "--data",
                  chats.toString(),
                  "--output",
                  tmp.resolve("ds").toString(),
                  "--seq-length",
                  "64",
                  "--layer-ids",
                  "1,2,3,4",
                  "--termination-log",
                  tmp.resolve("summary.json").toString());
      assertThat(code).as(String.join("\n", log)).isZero();
      assertThat(SampleFile.read(tmp.resolve("ds/data/data_1.pt")).numLayers()).isEqualTo(4);
      assertThat(server.requests()).anyMatch(r -> r.path().endsWith("model.safetensors"));
    }
  }

  @Test
  void theDatagenWorkerWritesTheReferenceEnginesStates(@TempDir Path tmp) throws Exception {
    Path chats = tmp.resolve("chats.jsonl");
    Files.write(
        chats,
        Files.readAllLines(Path.of("examples/local/data/conversations.jsonl")).subList(0, 4));
    Path out = tmp.resolve("dataset");
    List<String> log = new ArrayList<>();
    int code =
        new CommandLine(new DatagenCommand(log::add, null))
            .execute(
                "--engine",
                "reference",
                "--model",
                TINY.toString(),
                "--data",
                chats.toString(),
                "--output",
                out.toString(),
                "--seq-length",
                "64",
                "--layer-ids",
                "4,1,2",
                "--concurrency",
                "2",
                "--termination-log",
                tmp.resolve("summary.json").toString());
    assertThat(code).as(String.join("\n", log)).isZero();
    var config =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(out.resolve("data/data_config.json").toFile());
    assertThat(config.path("speculators_operator").path("hidden_state_source").asText())
        .startsWith("reference engine (llama, CPU)");
    assertThat(config.path("speculators_operator").path("engine").asText()).isEqualTo("reference");

    SampleFile sample = SampleFile.read(out.resolve("data/data_0.pt"));
    long[] ids = sample.inputIds().toLongArray();
    assertThat(ids.length).isLessThanOrEqualTo(63);
    assertThat(sample.numLayers()).isEqualTo(3);
    try (ReferenceModel model = ReferenceModel.load(TINY);
        NDManager m = model.newManager()) {
      TargetSession.Step step = model.newSession(m).extend(ids, new int[] {4, 1, 2});
      int[] order = {4, 1, 2};
      for (int i = 0; i < order.length; i++) {
        // stored as bf16: exactly the engine's float32 states rounded
        HostTensor expected =
            HostTensor.ofFloats(step.hidden(order[i]).toFloatArray(), ids.length, 96).toBf16();
        assertThat(sample.hiddenStates().get(i).toShortBits())
            .as("layer id %d", order[i])
            .containsExactly(expected.toShortBits());
      }
    }
  }
}
