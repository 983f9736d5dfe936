package dev.speculators.datagen;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.speculators.cli.DatagenCommand;
import dev.speculators.engine.ReferenceEngineFactory;
import dev.speculators.io.StorageCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The worker's storage check on the tiny example model: it measures the rows it is about to
 * generate, refuses a volume that cannot hold them before it writes a sample (exit 3, the numbers
 * in its summary), and in {@code --preflight} mode does only that, without a vLLM server.
 */
class DatagenStorageCheckTest {
  @TempDir Path tmp;

  private static final Path EXAMPLES = Path.of("examples", "local").toAbsolutePath();

  private record Run(int code, JsonNode summary, List<String> log) {}

  private Run run(long freeBytes, String... extra) throws Exception {
    Path terminationLog = tmp.resolve("termination-log");
    Files.deleteIfExists(terminationLog);
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    List<String> args =
        new ArrayList<>(
            List.of(
                "--model",
                EXAMPLES.resolve("tiny-model").toString(),
                "--data",
                EXAMPLES.resolve("data/conversations.jsonl") + ",maxSamples=100",
                "--output",
                tmp.resolve("out").toString(),
                "--seq-length",
                "256",
                "--layer-ids",
                "1,2,3,4",
                "--termination-log",
                terminationLog.toString()));
    args.addAll(List.of(extra));
    int code =
        new CommandLine(
                new DatagenCommand(
                    log::add,
                    new DatagenWorker.Dependencies(
                        null, null, new ReferenceEngineFactory(), p -> freeBytes)))
            .setCaseInsensitiveEnumValuesAllowed(true)
            .execute(args.toArray(String[]::new));
    JsonNode summary =
        Files.exists(terminationLog)
            ? DatagenTestSupport.JSON.readTree(terminationLog.toFile())
            : null;
    return new Run(code, summary, log);
  }

  @Test
  void aVolumeTooSmallIsRefusedBeforeASampleIsWritten() throws Exception {
    Run r = run(1_000_000, "--engine", "reference");
    assertThat(r.code()).as(String.join("\n", r.log())).isEqualTo(StorageCheck.EXIT_CODE);
    JsonNode storage = r.summary().get("storage");
    assertThat(storage.get("verdict").asText()).isEqualTo("TOO_SMALL");
    assertThat(storage.get("upperBound").asBoolean()).isFalse();
    assertThat(storage.get("availableBytes").asLong()).isEqualTo(1_000_000);
    // 100 samples of about 36 tokens × (4 × 96 × 2 + 16) bytes, plus containers
    assertThat(storage.get("neededBytes").asLong()).isBetween(2_500_000L, 4_500_000L);
    assertThat(r.summary().get("error").asText())
        .contains("the dataset needs about 3.")
        .contains("100 samples × mean")
        .contains("holds only 976.6 KiB")
        .contains("ask for at least 1Gi");
    assertThat(tmp.resolve("out/data")).doesNotExist();
  }

  @Test
  void enoughRoomGeneratesAndRecordsTheEstimate() throws Exception {
    Run r = run(10_000_000, "--engine", "reference");
    assertThat(r.code()).as(String.join("\n", r.log())).isZero();
    assertThat(r.log()).anyMatch(l -> l.startsWith("storage: the dataset needs about"));
    assertThat(r.summary().get("estimatedBytes").asLong()).isBetween(2_500_000L, 4_500_000L);
  }

  @Test
  void preflightChecksWithoutAServerAndWritesNothing() throws Exception {
    // engine vllm: the server is never asked; rows are measured with the model's own template
    Run small =
        run(1_000_000, "--engine", "vllm", "--endpoint", "http://127.0.0.1:9", "--preflight");
    assertThat(small.code()).as(String.join("\n", small.log())).isEqualTo(StorageCheck.EXIT_CODE);
    assertThat(small.summary().at("/storage/verdict").asText()).isEqualTo("TOO_SMALL");

    Run ok = run(1L << 40, "--engine", "vllm", "--endpoint", "http://127.0.0.1:9", "--preflight");
    assertThat(ok.code()).as(String.join("\n", ok.log())).isZero();
    assertThat(ok.summary().get("kind").asText()).isEqualTo("datagen-preflight");
    assertThat(ok.summary().at("/storage/verdict").asText()).isEqualTo("FITS");
    assertThat(ok.summary().get("contentHash").asText()).startsWith("sha256:");
    assertThat(tmp.resolve("out/data")).doesNotExist();
    assertThat(tmp.resolve("out/shards")).doesNotExist();
  }
}
