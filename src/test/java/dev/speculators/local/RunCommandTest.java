package dev.speculators.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.speculators.api.validation.ResourceDocuments;
import dev.speculators.cli.RunCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The example pipeline end to end ({@code examples/local/tiny-pipeline.yaml} with fewer samples,
 * epochs and prompts): the report's numbers are sane and consistent, the outputs have the volume
 * layout, and a second run resumes instead of starting over.
 */
class RunCommandTest {
  private static final Path EXAMPLE = Path.of("examples/local/tiny-pipeline.yaml");
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void theTinyPipelineTrainsADraftThatBeatsAnUntrainedOne(@TempDir Path tmp) throws Exception {
    Path file = smallerExample(tmp);
    Path out = tmp.resolve("out");
    Run first = run(file, out);
    assertThat(first.code).as(first.err).isZero();

    // progress bars of the three phases, and the report
    assertThat(first.err)
        .contains("datagen tiny-chat")
        .contains("train tiny-eagle3")
        .contains("eval tiny-eagle3-eval");
    assertThat(first.out)
        .contains("trained draft")
        .contains("untrained draft")
        .contains("report: ");

    // the volume layout
    assertThat(out.resolve("tiny-chat/data/data_0.pt")).isRegularFile();
    assertThat(out.resolve("tiny-chat/data/data_config.json")).isRegularFile();
    assertThat(out.resolve("tiny-chat/token_freq.pt")).isRegularFile();
    assertThat(out.resolve("tiny-eagle3/vocab/d2t.npy")).isRegularFile();
    assertThat(out.resolve("tiny-eagle3/checkpoints")).isDirectory();
    assertThat(out.resolve("tiny-eagle3/final/model.safetensors")).isRegularFile();
    assertThat(out.resolve("tiny-eagle3-eval/results.json")).isRegularFile();
    assertThat(out.resolve(RunCommand.LOG)).isRegularFile();

    JsonNode report = JSON.readTree(out.resolve(RunCommand.REPORT).toFile());
    assertThat(report.get("wallSeconds").asDouble()).isPositive();
    JsonNode dataset = report.get("datasets").get(0);
    assertThat(dataset.get("samples").asInt()).isEqualTo(240);
    assertThat(dataset.get("tokens").asLong()).isGreaterThan(240L * 10);
    JsonNode training = report.get("trainings").get(0);
    assertThat(training.get("epochs").asInt()).isEqualTo(3);
    assertThat(training.get("trainLoss").asDouble()).isPositive().isFinite();
    assertThat(training.get("fullAccuracy")).hasSize(3);
    for (JsonNode a : training.get("fullAccuracy")) {
      assertThat(a.asDouble()).isBetween(0.0, 1.0);
    }
    JsonNode trained = report.get("trained");
    JsonNode untrained = report.get("untrained");
    assertSane(trained, 3);
    assertSane(untrained, 3);
    assertThat(trained.get("meanAcceptanceLength").asDouble())
        .isGreaterThan(untrained.get("meanAcceptanceLength").asDouble());
    JsonNode eval = report.get("evaluations").get(0);
    assertThat(eval.get("prompts").asInt()).isEqualTo(24);
    assertThat(eval.get("losslessChecked").asBoolean()).isTrue();
    // each target pass is the prefill or one verification (one draft)
    assertThat(eval.get("targetForwardPasses").asLong())
        .isEqualTo(eval.get("prompts").asLong() + trained.get("counters").get("drafts").asLong());
    JsonNode results = JSON.readTree(out.resolve("tiny-eagle3-eval/results.json").toFile());
    assertThat(results.get("engine").asText()).isEqualTo("reference");
    assertThat(results.get("pooled").get("acceptance").get("meanAcceptanceLength").asDouble())
        .isEqualTo(trained.get("meanAcceptanceLength").asDouble());

    // a second run keeps what is done: samples are not rewritten, training has nothing left
    FileTime sampleTime = Files.getLastModifiedTime(out.resolve("tiny-chat/data/data_0.pt"));
    FileTime finalTime =
        Files.getLastModifiedTime(out.resolve("tiny-eagle3/checkpoints/2/model.safetensors"));
    Run second = run(file, out);
    assertThat(second.code).as(second.err).isZero();
    assertThat(Files.getLastModifiedTime(out.resolve("tiny-chat/data/data_0.pt")))
        .isEqualTo(sampleTime);
    assertThat(
            Files.getLastModifiedTime(out.resolve("tiny-eagle3/checkpoints/2/model.safetensors")))
        .isEqualTo(finalTime);
    JsonNode again = JSON.readTree(out.resolve(RunCommand.REPORT).toFile());
    assertThat(again.get("trained")).isEqualTo(trained);
    assertThat(again.get("trainings").get(0).get("fullAccuracy"))
        .isEqualTo(training.get("fullAccuracy"));
    // nothing was trained this time: no rate made of the first run's steps
    assertThat(again.at("/trainings/0/stepsPerSecond").asDouble()).isZero();
    assertThat(again.at("/trainings/0/tokensPerSecond").asDouble()).isZero();
  }

  @Test
  void aTrainingWithTemplateEvaluationAndAnUnmetGateExitsWith3(@TempDir Path tmp) throws Exception {
    Path examples = EXAMPLE.toAbsolutePath().getParent();
    Path file = tmp.resolve("one.yaml");
    Files.writeString(
        file,
        """
        apiVersion: speculators.dev/v1alpha1
        kind: SpeculatorTraining
        metadata: {name: one}
        spec:
          engine: reference
          dataset:
            template:
              engine: reference
              targetModel: {path: %s}
              datasets: [{path: {path: %s}}]
              maxSamples: 40
              sequenceLength: 128
              layerIds: [1, 2, 3, 4]
          draft: {draftVocabSize: 160, tttSteps: 1}
          training: {epochs: 1, maxSequenceLength: 512, validationRatio: 0}
          evaluation:
            engine: reference
            numSpeculativeTokens: 1
            datasets: [%s]
            guidellm: {maxRequests: 4}
          acceptanceGate: {minMeanAcceptanceLength: 2.5}
        """
            .formatted(
                examples.resolve("tiny-model"),
                examples.resolve("data/conversations.jsonl"),
                examples.resolve("data/prompts.jsonl")));
    Path out = tmp.resolve("out");
    Run r = run(file, out);
    // with K = 1 the mean acceptance length is at most 2: the gate cannot be met
    assertThat(r.code).as(r.err).isEqualTo(3);
    assertThat(r.out).contains("acceptance gate: mean acceptance length >= 2.500 NOT MET");
    assertThat(out.resolve("one-dataset/data/data_0.pt")).isRegularFile();
    assertThat(out.resolve("one/final/config.json")).isRegularFile();
    JsonNode eval =
        JSON.readTree(out.resolve(RunCommand.REPORT).toFile()).get("evaluations").get(0);
    assertThat(eval.get("name").asText()).isEqualTo("one-eval");
    assertThat(eval.get("acceptanceGatePassed").asBoolean()).isFalse();
    assertSane(eval.get("trained"), 1);
  }

  @Test
  void aFailingStepNamesTheResourceAndKeepsTheLog(@TempDir Path tmp) throws Exception {
    Path file = smallerExample(tmp);
    Files.writeString(file, Files.readString(file).replace("conversations.jsonl", "missing.jsonl"));
    Run r = run(file, tmp.resolve("out"));
    assertThat(r.code).isEqualTo(1);
    assertThat(r.err)
        .contains("tiny-chat failed")
        .contains("missing.jsonl")
        .contains("does not exist")
        .contains("run.log");
  }

  @Test
  void invalidResourcesExitWithCode2(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("bad.yaml");
    Files.writeString(
        file,
        "apiVersion: speculators.dev/v1alpha1\nkind: HiddenStateDataset\nmetadata: {name: x}\nspec: {}\n");
    Run r = run(file, tmp.resolve("out"));
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err).contains("HiddenStateDataset/x is invalid").contains("spec.targetModel");
    assertThat(tmp.resolve("out")).doesNotExist();
  }

  static void assertSane(JsonNode a, int k) {
    long drafts = a.get("drafts").asLong();
    long accepted = a.get("acceptedTokens").asLong();
    assertThat(drafts).isPositive();
    assertThat(a.get("draftTokens").asLong()).isEqualTo(drafts * k);
    assertThat(a.get("meanAcceptanceLength").asDouble())
        .isCloseTo(1.0 + (double) accepted / drafts, org.assertj.core.data.Offset.offset(1e-12));
    JsonNode perPos = a.get("perPositionAcceptance");
    JsonNode counts = a.get("counters").get("acceptedPerPosition");
    assertThat(perPos).hasSize(k);
    long sum = 0;
    double previous = 1.0;
    for (int i = 0; i < k; i++) {
      double p = perPos.get(i).asDouble();
      assertThat(p).isBetween(0.0, 1.0).isLessThanOrEqualTo(previous);
      previous = p;
      sum += counts.get(i).asLong();
    }
    assertThat(sum).isEqualTo(accepted);
    for (JsonNode c : a.get("conditionalAcceptance")) {
      if (!c.isNull()) {
        assertThat(c.asDouble()).isBetween(0.0, 1.0);
      }
    }
  }

  /** The example file with absolute paths, 240 samples, 3 epochs and 24 prompts. */
  static Path smallerExample(Path dir) throws IOException {
    Path examples = EXAMPLE.toAbsolutePath().getParent();
    List<ResourceDocuments.Document> docs = ResourceDocuments.read(EXAMPLE);
    StringBuilder yaml = new StringBuilder();
    YAMLMapper mapper = new YAMLMapper();
    for (ResourceDocuments.Document d : docs) {
      ObjectNode r = (ObjectNode) d.node().deepCopy();
      ObjectNode spec = (ObjectNode) r.get("spec");
      switch (r.get("kind").asText()) {
        case "HiddenStateDataset" -> {
          ((ObjectNode) spec.get("targetModel"))
              .put(
                  "path",
                  examples.resolve(spec.get("targetModel").get("path").asText()).toString());
          ObjectNode source = (ObjectNode) spec.get("datasets").get(0);
          ((ObjectNode) source.get("path"))
              .put("path", examples.resolve(source.get("path").get("path").asText()).toString());
          spec.put("maxSamples", 240);
        }
        case "SpeculatorTraining" -> ((ObjectNode) spec.get("training")).put("epochs", 3);
        case "SpeculatorEval" -> {
          ArrayNode data = (ArrayNode) spec.get("datasets");
          data.set(
              0, JSON.getNodeFactory().textNode(examples.resolve(data.get(0).asText()).toString()));
          spec.putObject("guidellm").put("maxRequests", 24);
        }
        default -> throw new IllegalStateException("unexpected kind in the example");
      }
      yaml.append(mapper.writeValueAsString(r));
    }
    Path file = dir.resolve("tiny-pipeline.yaml");
    Files.writeString(file, yaml.toString());
    return file;
  }

  private record Run(int code, String out, String err) {}

  private static Run run(Path file, Path out) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    RunCommand command =
        new RunCommand(
            new PrintStream(o, true, StandardCharsets.UTF_8),
            new PrintStream(e, true, StandardCharsets.UTF_8),
            () -> {
              throw new IllegalStateException("no Hub in this test");
            },
            false);
    int code = new CommandLine(command).execute("-f", file.toString(), "--output", out.toString());
    return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
  }
}
