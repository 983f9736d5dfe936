package dev.speculators.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speculators.cli.EvalCommand;
import dev.speculators.io.hub.FakeHubServer;
import dev.speculators.io.hub.HfHub;
import dev.speculators.io.hub.RepoType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code eval --engine reference} as the operator runs it for the Kind harness. */
class ReferenceEvalCommandTest {
  private static final String TARGET = "examples/local/tiny-model";
  private static final String DRAFT = "src/test/resources/engine/tiny-draft";
  private static final String PROMPTS = "examples/local/data/prompts.jsonl";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void writesResultsLikeTheVllmPathWithTheSameAcceptanceFields(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("results");
    Path termination = tmp.resolve("termination-log");
    Files.writeString(termination, "");
    Run r =
        eval(
            "--engine",
            "reference",
            "--target-model",
            TARGET,
            "--speculator",
            DRAFT,
            "--data",
            PROMPTS,
            "--output",
            out.toString(),
            "--num-speculative-tokens",
            "4",
            "--max-requests",
            "10",
            "--untrained-baseline",
            "--check-lossless",
            "--termination-log",
            termination.toString());
    assertThat(r.code).as(r.err).isZero();
    assertThat(r.out).contains("prompts").contains("trained").contains("untrained");

    JsonNode results = JSON.readTree(out.resolve("results.json").toFile());
    assertThat(results.get("kind").asText()).isEqualTo("eval");
    assertThat(results.get("engine").asText()).isEqualTo("reference");
    assertThat(results.get("complete").asBoolean()).isTrue();
    JsonNode d = results.get("datasets").get(0);
    assertThat(d.get("name").asText()).isEqualTo("prompts");
    assertThat(d.get("prompts").asInt()).isEqualTo(10);
    assertThat(d.get("losslessChecked").asBoolean()).isTrue();
    JsonNode acceptance = d.get("acceptance");
    for (String field :
        List.of(
            "drafts",
            "draftTokens",
            "acceptedTokens",
            "meanAcceptanceLength",
            "acceptanceRate",
            "perPositionAcceptance",
            "conditionalAcceptance",
            "noDrafts")) {
      assertThat(acceptance.has(field)).as(field).isTrue();
    }
    assertThat(acceptance.get("perPositionAcceptance")).hasSize(4);
    assertThat(acceptance.get("draftTokens").asLong())
        .isEqualTo(4 * acceptance.get("drafts").asLong());
    assertThat(acceptance.get("meanAcceptanceLength").asDouble())
        .isGreaterThan(
            d.get("untrainedDraft").get("acceptance").get("meanAcceptanceLength").asDouble());
    assertThat(results.get("pooled").get("counters")).isEqualTo(d.get("counters"));

    JsonNode summary = JSON.readTree(termination.toFile());
    assertThat(summary.get("kind").asText()).isEqualTo("eval");
    assertThat(summary.get("meanAcceptanceLength").asDouble()).isGreaterThan(1.0);
    assertThat(summary.get("drafts").asLong()).isEqualTo(acceptance.get("drafts").asLong());
    assertThat(JSON.readTree(out.resolve("summary.json").toFile())).isEqualTo(summary);
    assertThat(Files.readAllLines(out.resolve("acceptance.csv")))
        .hasSize(3)
        .first()
        .asString()
        .startsWith(
            "dataset,drafts,draft_tokens,accepted_tokens,mean_acceptance_length,acceptance_rate,acceptance_at_pos_0");
  }

  @Test
  void hubIdsForTheTargetAndTheSpeculatorAreDownloaded(@TempDir Path tmp) throws Exception {
    try (FakeHubServer server = new FakeHubServer()) {
      for (Path f : List.of(Path.of(TARGET), Path.of(DRAFT))) {
        String repo = f.equals(Path.of(TARGET)) ? "org/tiny" : "org/tiny-draft";
        try (var files = Files.list(f)) {
          for (Path file : files.toList()) {
            server.addFile(
                RepoType.MODEL,
                repo,
                file.getFileName().toString(),
                Files.readAllBytes(file),
                file.toString().endsWith(".safetensors"));
          }
        }
      }
      HfHub hub =
          new HfHub(server.endpoint(), null, tmp.resolve("cache"), false, HfHub.Options.defaults());
      Run r =
          eval(
              hub,
              "--engine",
              "reference",
              "--target-model",
              "org/tiny",
              "--speculator",
              "org/tiny-draft",
              "--data",
              PROMPTS,
              "--output",
              tmp.resolve("out").toString(),
              "--max-requests",
              "3");
      assertThat(r.code).as(r.err).isZero();
      assertThat(
              JSON.readTree(tmp.resolve("out/results.json").toFile())
                  .get("pooled")
                  .get("prompts")
                  .asInt())
          .isEqualTo(3);

      Run missing =
          eval(
              hub,
              "--engine",
              "reference",
              "--target-model",
              "org/absent",
              "--speculator",
              DRAFT,
              "--data",
              PROMPTS,
              "--output",
              tmp.resolve("o2").toString());
      assertThat(missing.code).isEqualTo(1);
      assertThat(missing.err).contains("--target-model org/absent");
    }
  }

  @Test
  void usageErrorsAndUnsupportedDataAreReported(@TempDir Path tmp) throws Exception {
    Run missing =
        eval(
            "--engine",
            "reference",
            "--target-model",
            TARGET,
            "--data",
            PROMPTS,
            "--output",
            tmp.toString());
    assertThat(missing.code).isEqualTo(2);
    assertThat(missing.err).contains("--speculator");

    Run builtin =
        eval(
            "--engine",
            "reference",
            "--target-model",
            TARGET,
            "--speculator",
            DRAFT,
            "--data",
            "prompt_tokens=64,output_tokens=32",
            "--output",
            tmp.resolve("o").toString());
    assertThat(builtin.code).isEqualTo(1);
    assertThat(builtin.err).contains("the reference engine needs prompt files");

    Run absent =
        eval(
            "--engine",
            "reference",
            "--target-model",
            TARGET,
            "--speculator",
            DRAFT,
            "--data",
            tmp.resolve("absent.jsonl").toString(),
            "--output",
            tmp.resolve("o2").toString());
    assertThat(absent.code).isEqualTo(1);
    assertThat(absent.err).contains("absent.jsonl: no such file");

    Path csv = tmp.resolve("prompts.csv");
    java.nio.file.Files.writeString(csv, "prompt\nhello\n");
    Run table =
        eval(
            "--engine",
            "reference",
            "--target-model",
            TARGET,
            "--speculator",
            DRAFT,
            "--data",
            csv.toString(),
            "--output",
            tmp.resolve("o2").toString());
    assertThat(table.code).isEqualTo(1);
    assertThat(table.err)
        .contains("the reference engine reads .jsonl and .json prompt files; prompts.csv");

    Run noTokenizer =
        eval(
            "--engine",
            "reference",
            "--target-model",
            "src/test/resources/engine/llama",
            "--speculator",
            DRAFT,
            "--data",
            PROMPTS,
            "--output",
            tmp.resolve("p").toString());
    assertThat(noTokenizer.code).isEqualTo(1);
    assertThat(noTokenizer.err).contains("no tokenizer.json");
    JsonNode failed = JSON.readTree(tmp.resolve("p/results.json").toFile());
    assertThat(failed.get("complete").asBoolean()).isFalse();
    assertThat(failed.get("error").asText()).contains("no tokenizer.json");
  }

  private record Run(int code, String out, String err) {}

  private static Run eval(String... args) {
    return eval(null, args);
  }

  private static Run eval(HfHub hub, String... args) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    List<String> log = new ArrayList<>();
    EvalCommand command =
        new EvalCommand(
            hub,
            log::add,
            new PrintStream(o, true, StandardCharsets.UTF_8),
            new PrintStream(e, true, StandardCharsets.UTF_8));
    CommandLine cl = new CommandLine(command);
    cl.setErr(new java.io.PrintWriter(e, true, StandardCharsets.UTF_8));
    int code = cl.execute(args);
    return new Run(
        code,
        o.toString(StandardCharsets.UTF_8),
        e.toString(StandardCharsets.UTF_8) + String.join("\n", log));
  }
}
