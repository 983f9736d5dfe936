package dev.speculators.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.speculators.api.validation.ResourceDocuments;
import dev.speculators.cli.RunCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The tiny example pipeline ({@code examples/local/tiny-pipeline.yaml}) trained twice on the same
 * dataset, in bf16 and in fp32 (the {@code precision} field of the resource), and both drafts
 * evaluated on the same prompts: bf16 training must reach a mean acceptance length within 0.1 of
 * float32's.
 */
@Tag("slow")
class PrecisionPipelineTest {
  private static final Path EXAMPLE = Path.of("examples/local/tiny-pipeline.yaml");
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void bf16TrainingReachesFloat32sAcceptanceWithinATenth(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("pipeline.yaml");
    Files.writeString(file, bothPrecisions());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    RunCommand command =
        new RunCommand(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            () -> {
              throw new IllegalStateException("no Hub in this test");
            },
            false);
    Path output = tmp.resolve("out");
    int code =
        new CommandLine(command).execute("-f", file.toString(), "--output", output.toString());
    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    JsonNode report = JSON.readTree(output.resolve(RunCommand.REPORT).toFile());
    Map<String, Double> acceptance = new HashMap<>();
    for (JsonNode e : report.get("evaluations")) {
      acceptance.put(
          e.get("name").asText(), e.get("trained").get("meanAcceptanceLength").asDouble());
    }
    double fp32 = acceptance.get("tiny-eagle3-fp32-eval");
    double bf16 = acceptance.get("tiny-eagle3-bf16-eval");
    System.out.printf("mean acceptance length: fp32 %.4f, bf16 %.4f%n", fp32, bf16);
    assertThat(fp32).as("the float32 draft learned something").isGreaterThan(2.0);
    assertThat(Math.abs(bf16 - fp32)).as("bf16 %.4f vs fp32 %.4f", bf16, fp32).isLessThan(0.1);
    assertThat(Files.readString(output.resolve(RunCommand.LOG)))
        .contains("precision bf16 (bf16 matmuls")
        .contains("precision fp32");
  }

  /** The example with absolute paths, one dataset and a training + evaluation per precision. */
  static String bothPrecisions() throws Exception {
    Path examples = EXAMPLE.toAbsolutePath().getParent();
    YAMLMapper yaml = new YAMLMapper();
    StringBuilder text = new StringBuilder();
    for (ResourceDocuments.Document d : ResourceDocuments.read(EXAMPLE)) {
      ObjectNode r = (ObjectNode) d.node().deepCopy();
      ObjectNode spec = (ObjectNode) r.get("spec");
      switch (r.get("kind").asText()) {
        case "HiddenStateDataset" -> {
          ObjectNode target = (ObjectNode) spec.get("targetModel");
          target.put("path", examples.resolve(target.get("path").asText()).toString());
          ObjectNode source = (ObjectNode) spec.get("datasets").get(0).get("path");
          source.put("path", examples.resolve(source.get("path").asText()).toString());
          text.append(yaml.writeValueAsString(r));
        }
        case "SpeculatorTraining" -> {
          for (String precision : new String[] {"fp32", "bf16"}) {
            ObjectNode t = r.deepCopy();
            ((ObjectNode) t.get("metadata")).put("name", "tiny-eagle3-" + precision);
            ((ObjectNode) t.get("spec").get("training")).put("precision", precision);
            text.append(yaml.writeValueAsString(t));
          }
        }
        case "SpeculatorEval" -> {
          ArrayNode data = (ArrayNode) spec.get("datasets");
          data.set(
              0, JSON.getNodeFactory().textNode(examples.resolve(data.get(0).asText()).toString()));
          for (String precision : new String[] {"fp32", "bf16"}) {
            ObjectNode e = r.deepCopy();
            ((ObjectNode) e.get("metadata")).put("name", "tiny-eagle3-" + precision + "-eval");
            ((ObjectNode) e.get("spec").get("speculator").get("trainingRef"))
                .put("name", "tiny-eagle3-" + precision);
            text.append(yaml.writeValueAsString(e));
          }
        }
        default -> throw new IllegalStateException("unexpected kind in the example");
      }
    }
    return text.toString();
  }
}
