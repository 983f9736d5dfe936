package dev.speculators.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speculators.cli.RunCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code run -f} with two datasets of the same content: the second reuses the first's files, the
 * training on it trains on them, and the report shows the reuse, the storage estimate next to the
 * bytes written, and the rates of every phase.
 */
class LocalReuseTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void anEqualDatasetIsReusedAndTheReportShowsEstimateAndRates(@TempDir Path tmp) throws Exception {
    Path examples = Path.of("examples", "local").toAbsolutePath();
    String data =
        """
          engine: reference
          targetModel: {path: %s}
          datasets: [{path: {path: %s}}]
          maxSamples: 40
          sequenceLength: 128
          layerIds: [1, 2, 3, 4]
        """
            .formatted(
                examples.resolve("tiny-model"), examples.resolve("data/conversations.jsonl"));
    Path file = tmp.resolve("two.yaml");
    Files.writeString(
        file,
        "apiVersion: speculators.dev/v1alpha1\nkind: HiddenStateDataset\nmetadata: {name: first}\n"
            + "spec:\n"
            + data
            + "---\n"
            + "apiVersion: speculators.dev/v1alpha1\nkind: SpeculatorTraining\nmetadata: {name: tr}\n"
            + "spec:\n  engine: reference\n  dataset:\n    template:\n"
            + data.indent(4)
            + "  draft: {draftVocabSize: 160, tttSteps: 1}\n"
            + "  training: {epochs: 1, maxSequenceLength: 512, validationRatio: 0}\n");
    Path out = tmp.resolve("out");
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int code =
        new CommandLine(
                new RunCommand(
                    new PrintStream(o, true, StandardCharsets.UTF_8),
                    new PrintStream(e, true, StandardCharsets.UTF_8),
                    () -> {
                      throw new IllegalStateException("no Hub in this test");
                    },
                    false))
            .execute("-f", file.toString(), "--output", out.toString());
    String stdout = o.toString(StandardCharsets.UTF_8);
    String stderr = e.toString(StandardCharsets.UTF_8);
    assertThat(code).as(stderr).isZero();

    // the template's dataset is the first one's content: reused, not generated
    assertThat(out.resolve("tr-dataset")).doesNotExist();
    assertThat(stderr)
        .contains("datagen first: storage: the dataset needs about")
        .contains("datagen tr-dataset: reused " + out.resolve("first"));
    assertThat(out.resolve("tr/final/model.safetensors")).isRegularFile();

    JsonNode report = JSON.readTree(out.resolve(RunCommand.REPORT).toFile());
    JsonNode first = report.at("/datasets/0");
    JsonNode reused = report.at("/datasets/1");
    assertThat(reused.get("reusedFrom").asText()).isEqualTo(out.resolve("first").toString());
    assertThat(reused.get("contentHash").asText()).isEqualTo(first.get("contentHash").asText());
    assertThat(reused.get("samples").asLong()).isEqualTo(first.get("samples").asLong());
    long written = first.get("writtenBytes").asLong();
    assertThat(first.get("estimatedBytes").asDouble()).isBetween(0.8 * written, 1.2 * written);
    assertThat(first.get("samplesPerSecond").asDouble()).isPositive();
    assertThat(first.get("tokensPerSecond").asDouble()).isPositive();
    assertThat(report.at("/trainings/0/stepsPerSecond").asDouble()).isPositive();
    assertThat(report.at("/trainings/0/tokensPerSecond").asDouble()).isPositive();
    assertThat(stdout)
        .contains("Dataset tr-dataset: reused " + out.resolve("first") + " (same content hash)")
        .containsPattern("Dataset first: 40 samples, \\d+ tokens \\([0-9.]+ s, [0-9.]+ samples/s")
        .contains("storage: estimated ")
        .containsPattern("steps/s, \\d+ tokens/s\\)");
  }

  @Test
  void aDatasetOnClaimsIsFoundAgainByItsRecordedHash(@TempDir Path tmp) throws Exception {
    // the model and the conversations on claims, as a cluster would have them
    Path examples = Path.of("examples", "local").toAbsolutePath();
    Path out = tmp.resolve("out");
    Path model = Files.createDirectories(out.resolve("volumes/models/tiny"));
    try (var files = Files.list(examples.resolve("tiny-model"))) {
      for (Path f : files.toList()) {
        Files.copy(f, model.resolve(f.getFileName()));
      }
    }
    Path chats = Files.createDirectories(out.resolve("volumes/chats"));
    Files.copy(examples.resolve("data/conversations.jsonl"), chats.resolve("c.jsonl"));
    String data =
        """
          engine: reference
          targetModel: {pvc: {claimName: models, subPath: tiny}}
          datasets: [{path: {claimName: chats, path: c.jsonl}}]
          maxSamples: 24
          sequenceLength: 128
          layerIds: [1, 2, 3, 4]
        """;
    Path file = tmp.resolve("claims.yaml");
    Files.writeString(
        file,
        "apiVersion: speculators.dev/v1alpha1\nkind: HiddenStateDataset\nmetadata: {name: a}\n"
            + "spec:\n"
            + data
            + "---\n"
            + "apiVersion: speculators.dev/v1alpha1\nkind: HiddenStateDataset\nmetadata: {name: b}\n"
            + "spec:\n"
            + data);
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int code =
        new CommandLine(
                new RunCommand(
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    new PrintStream(e, true, StandardCharsets.UTF_8),
                    () -> {
                      throw new IllegalStateException("no Hub in this test");
                    },
                    false))
            .execute("-f", file.toString(), "--output", out.toString());
    assertThat(code).as(e.toString(StandardCharsets.UTF_8)).isZero();
    JsonNode report = JSON.readTree(out.resolve(RunCommand.REPORT).toFile());
    String recorded =
        JSON.readTree(out.resolve("a/data/data_config.json").toFile())
            .at("/speculators_operator/content_hash")
            .asText();
    assertThat(report.at("/datasets/0/contentHash").asText()).isEqualTo(recorded);
    assertThat(report.at("/datasets/1/reusedFrom").asText()).isEqualTo(out.resolve("a").toString());
    assertThat(out.resolve("b")).doesNotExist();
  }
}
