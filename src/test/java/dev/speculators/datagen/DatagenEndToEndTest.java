package dev.speculators.datagen;

import static dev.speculators.datagen.DatagenTestSupport.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.speculators.datagen.DatagenTestSupport.Run;
import dev.speculators.datagen.DatagenTestSupport.Sample;
import dev.speculators.io.DType;
import dev.speculators.io.HostTensor;
import dev.speculators.io.TorchFiles;
import dev.speculators.train.data.LayerIdSemantics;
import dev.speculators.train.data.SpeculatorsDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The datagen command end to end against {@link FakeVllmServer}: real tokenizer and template, real
 * HTTP, real flock synchronisation, real torch-format files.
 */
class DatagenEndToEndTest {
  static final int LAYERS = 4;
  static final int HIDDEN = 8;
  static final int RECORDS = 14;

  @TempDir Path tmp;
  Path model;
  Path data;
  Path staging;
  Path out;
  FakeVllmServer vllm;

  @BeforeEach
  void setUp() throws Exception {
    model = DatagenTestSupport.modelDir(tmp.resolve("model"), "llama3_1", 6, HIDDEN);
    data = DatagenTestSupport.dataset(tmp.resolve("chats/sharegpt.jsonl"), RECORDS, 4, 9);
    staging = tmp.resolve("hs");
    out = tmp.resolve("dataset");
    vllm = new FakeVllmServer(model, staging, "/srv/hidden_states", LAYERS, HIDDEN);
  }

  @AfterEach
  void tearDown() {
    vllm.close();
  }

  String[] args(int shard, int shards, String... extra) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "--endpoint",
                vllm.endpoint() + "/v1",
                "--model",
                model.toString(),
                "--data",
                data.toString(),
                "--output",
                out.toString(),
                "--seq-length",
                "64",
                "--layer-ids",
                "1,3,5,6",
                "--shard",
                shard + "/" + shards,
                "--concurrency",
                "3",
                "--seed",
                "11",
                "--hidden-states-dir",
                staging.toString(),
                "--progress-interval",
                "0.2",
                "--retry-backoff",
                "0.01",
                "--gpu-name",
                "Test GPU 80GB",
                "--tensor-parallel-size",
                "2"));
    a.addAll(List.of(extra));
    return a.toArray(String[]::new);
  }

  Run run(String... args) throws Exception {
    return DatagenTestSupport.run(tmp.resolve("termination-log"), args);
  }

  @Test
  void twoShardsWriteAndMergeAValidDataset() throws Exception {
    Run first = run(args(0, 2));
    assertThat(first.exitCode()).as(String.join("\n", first.log())).isZero();
    assertThat(first.summary().get("merged").asBoolean()).isFalse();
    assertThat(out.resolve("token_freq.pt")).doesNotExist();
    assertThat(out.resolve("data/sample_lengths.json")).doesNotExist();

    Run second = run(args(1, 2));
    assertThat(second.exitCode()).as(String.join("\n", second.log())).isZero();
    assertThat(second.summary().get("merged").asBoolean()).isTrue();
    // resolved values the operator copies into the dataset status
    assertThat(second.summary().get("layerIds").toString()).isEqualTo("[1,3,5,6]");
    assertThat(second.summary().get("hiddenSize").asInt()).isEqualTo(HIDDEN);
    assertThat(second.summary().get("contentHash").asText()).startsWith("sha256:");

    // Llama-3 history renders are prefixes: one row per conversation with an assistant turn
    Map<Long, Path> files = DatagenTestSupport.samples(out);
    int validConversations = RECORDS - 2;
    assertThat(files).hasSize(validConversations);
    assertThat(files.keySet()).containsExactlyElementsOf(range(0, validConversations));
    long samples =
        first.summary().get("samples").asLong() + second.summary().get("samples").asLong();
    assertThat(samples).isEqualTo(validConversations);
    assertThat(
            first.summary().get("failedSamples").asLong()
                + second.summary().get("failedSamples").asLong())
        .isZero();

    Map<Long, Long> expectedFreq = new TreeMap<>();
    Map<String, Integer> expectedLengths = new TreeMap<>();
    List<String> questions = new ArrayList<>();
    long tokens = 0;
    for (Map.Entry<Long, Path> e : files.entrySet()) {
      Sample s = DatagenTestSupport.load(e.getValue());
      assertThat(s.ids().length).isEqualTo(s.mask().length).isLessThanOrEqualTo(63);
      assertThat(s.hidden()).hasSize(LAYERS);
      for (int j = 0; j < LAYERS; j++) {
        HostTensor h = s.hidden().get(j);
        assertThat(h.dtype()).isEqualTo(DType.BF16);
        assertThat(h.shape()).containsExactly(s.ids().length, HIDDEN);
        short[] bits = h.toShortBits();
        for (int t = 0; t < s.ids().length; t++) {
          for (int c = 0; c < HIDDEN; c++) {
            assertThat(bits[t * HIDDEN + c])
                .as("row %d layer %d token %d channel %d", e.getKey(), j, t, c)
                .isEqualTo(FakeVllmServer.bf16(FakeVllmServer.value(s.ids()[t], t, j, c)));
          }
        }
      }
      long masked = 0;
      for (int t = 0; t < s.ids().length; t++) {
        if (s.mask()[t] == 1) {
          expectedFreq.merge(s.ids()[t], 1L, Long::sum);
          masked++;
        } else {
          assertThat(s.mask()[t]).isZero();
        }
      }
      assertThat(masked).as("row %d has assistant tokens", e.getKey()).isPositive();
      assertThat(s.ids()[0]).as("rendering starts with <|begin_of_text|>").isEqualTo(128000L);
      expectedLengths.put(Long.toString(e.getKey()), s.ids().length);
      tokens += s.ids().length;
      questions.add(decodeQuestion(s));
    }
    // every valid conversation is in the dataset exactly once
    assertThat(questions).doesNotHaveDuplicates().hasSize(validConversations);

    assertThat(TorchFiles.load(out.resolve("token_freq.pt")))
        .isEqualTo(new java.util.LinkedHashMap<Object, Object>(expectedFreq));
    JsonNode lengths = JSON.readTree(out.resolve("data/sample_lengths.json").toFile());
    assertThat(JSON.convertValue(lengths, Map.class)).isEqualTo(expectedLengths);
    assertThat(Files.readString(out.resolve("data/sample_lengths.json")))
        .startsWith("{\n  \"0\": ");

    JsonNode config = JSON.readTree(out.resolve("data/data_config.json").toFile());
    assertThat(config.get("version").asText()).isEqualTo("2.0");
    assertThat(config.at("/data/num_samples").asLong()).isEqualTo(validConversations);
    assertThat(config.at("/data/seq_length").asInt()).isEqualTo(64);
    assertThat(config.at("/data/seed").asLong()).isEqualTo(11);
    assertThat(config.at("/model/hidden_size").asInt()).isEqualTo(HIDDEN);
    assertThat(config.at("/model/tensor_parallel_size").asInt()).isEqualTo(2);
    assertThat(config.at("/hidden_states/layer_ids").toString()).isEqualTo("[1,3,5,6]");
    assertThat(config.at("/format/schema/hidden_states/num_tensors").asInt()).isEqualTo(LAYERS);
    assertThat(config.at("/reproducibility/package_versions/vllm").asText())
        .isEqualTo(FakeVllmServer.VERSION);
    assertThat(config.at("/reproducibility/gpu").asText()).isEqualTo("Test GPU 80GB");
    assertThat(config.at("/reproducibility/command").asText())
        .startsWith("speculators datagen --endpoint");
    JsonNode ours = config.get("speculators_operator");
    assertThat(ours.get("layer_id_semantics").asText()).isEqualTo(DataConfig.LAYER_ID_SEMANTICS);
    assertThat(ours.get("vllm_version").asText()).isEqualTo(FakeVllmServer.VERSION);
    assertThat(ours.get("content_hash").asText()).matches("sha256:[0-9a-f]{64}");
    assertThat(ours.get("content_hash").asText())
        .isEqualTo(ContentHash.of(ours.get("content_inputs")));
    assertThat(ours.get("content_hash").asText())
        .isEqualTo(
            JSON.readTree(out.resolve("shards/plan.json").toFile()).get("content_hash").asText());
    assertThat(ours.get("tokens").asLong()).isEqualTo(tokens);
    assertThat(ours.get("samples").asLong()).isEqualTo(validConversations);
    assertThat(ours.at("/content_inputs/seed").asLong()).isEqualTo(11);

    // the file-format contract with the trainer: vLLM layer numbering, aux ids without the final
    // layer
    assertThat(config.at("/hidden_states/layer_id_semantics").asText()).startsWith("vllm");
    SpeculatorsDataset asTrainingData = SpeculatorsDataset.open(out);
    assertThat(asTrainingData.layerIdSemantics()).isEqualTo(LayerIdSemantics.VLLM);
    assertThat(asTrainingData.auxLayerIds(6)).containsExactly(1, 3, 5);

    // nothing left behind in the staging volume: files and their locks are deleted after reading
    try (Stream<Path> s = Files.list(staging)) {
      assertThat(s.toList()).isEmpty();
    }
    assertThat(vllm.completions.get()).isEqualTo(validConversations);
    assertThat(first.log())
        .anyMatch(
            l -> l.matches("datagen shard 0/2: \\d+/\\d+ rows .*samples/s.*tokens/s, ETA .*"));
    assertThat(first.log())
        .anyMatch(l -> l.contains("skipping") && l.contains("sharegpt.jsonl line 10"));
    assertThat(first.log()).anyMatch(l -> l.startsWith("PROGRESS {\"kind\":\"datagen\""));
  }

  @Test
  void aKilledShardResumesAndRepairsPartialFiles() throws Exception {
    vllm.failAfter = 5;
    Run broken =
        run(
            args(
                0,
                1,
                "--concurrency",
                "1",
                "--max-retries",
                "1",
                "--max-consecutive-failures",
                "2"));
    assertThat(broken.exitCode()).isEqualTo(1);
    assertThat(broken.summary().get("error").asText())
        .contains("2 consecutive rows failed")
        .contains("HTTP 500");
    assertThat(broken.summary().get("samples").asLong()).isEqualTo(5);
    assertThat(broken.summary().get("failedSamples").asLong()).isEqualTo(2);
    assertThat(out.resolve("shards/shard-0-of-1.json")).doesNotExist();
    Map<Long, Path> written = DatagenTestSupport.samples(out);
    assertThat(written.keySet()).containsExactly(0L, 1L, 2L, 3L, 4L);

    // the crash also left a cut-short sample, a corrupt one, a temporary file of a write, and
    // an old staging file with its lock in the hidden-states directory
    Path oldStaging = Files.writeString(staging.resolve("req-old.safetensors"), "x");
    Path oldLock = Files.writeString(staging.resolve("req-old.safetensors.lock"), "");
    Path recent = Files.writeString(staging.resolve("req-recent.safetensors"), "x");
    java.nio.file.attribute.FileTime longAgo =
        java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 3_600_000);
    Files.setLastModifiedTime(oldStaging, longAgo);
    Files.setLastModifiedTime(oldLock, longAgo);
    byte[] full = Files.readAllBytes(written.get(1L));
    Files.write(written.get(1L), Arrays.copyOf(full, full.length / 2));
    Files.writeString(written.get(3L), "garbage");
    Path leftover = out.resolve("data/data_7.pt.tmp-0123abcd");
    Files.writeString(leftover, "partial");
    byte[] intact0 = Files.readAllBytes(written.get(0L));

    vllm.failAfter = Integer.MAX_VALUE;
    vllm.completions.set(0);
    Run resumed = run(args(0, 1, "--concurrency", "1"));
    assertThat(resumed.exitCode()).as(String.join("\n", resumed.log())).isZero();
    assertThat(resumed.summary().get("skipped").asLong()).isEqualTo(3);
    assertThat(resumed.summary().get("samples").asLong()).isEqualTo(RECORDS - 2);
    assertThat(resumed.summary().get("merged").asBoolean()).isTrue();
    assertThat(vllm.completions.get()).isEqualTo(RECORDS - 2 - 3);
    assertThat(leftover).doesNotExist();
    assertThat(oldStaging).doesNotExist();
    assertThat(oldLock).doesNotExist();
    assertThat(recent).as("may belong to a request in flight").exists();
    assertThat(Files.readAllBytes(written.get(0L)))
        .as("valid samples are not rewritten")
        .isEqualTo(intact0);
    assertThat(resumed.log()).anyMatch(l -> l.contains("row 1") && l.contains("unreadable"));
    for (Path p : DatagenTestSupport.samples(out).values()) {
      Sample s = DatagenTestSupport.load(p);
      assertThat(s.hidden()).hasSize(LAYERS);
    }
    assertThat(DatagenTestSupport.samples(out)).hasSize(RECORDS - 2);
  }

  @Test
  void waitsForTheWriterLockAndRetriesBrokenStagingFiles() throws Exception {
    vllm.holdMillis = 150; // the writer writes half, pauses, writes the rest, then holds the lock
    vllm.truncateNext.set(1);
    vllm.wrongTokensNext.set(1);
    Run r = run(args(0, 1, "--concurrency", "2", "--max-retries", "3"));
    assertThat(r.exitCode()).as(String.join("\n", r.log())).isZero();
    assertThat(r.summary().get("failedSamples").asLong()).isZero();
    // exactly the two broken staging files were retried: no reader ever saw a half-written file
    assertThat(r.summary().get("retries").asLong()).isEqualTo(2);
    assertThat(r.log()).anyMatch(l -> l.contains("token_ids differ from the prompt sent"));
    assertThat(r.log()).anyMatch(l -> l.contains("retry 1/3"));
    assertThat(vllm.completions.get()).isEqualTo(RECORDS - 2 + 2);
  }

  @Test
  void unrecoverableRequestsStopAfterTheConsecutiveFailureCap() throws Exception {
    vllm.completionStatus = 400;
    Run r = run(args(0, 1, "--concurrency", "1", "--max-consecutive-failures", "3"));
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.summary().get("failedSamples").asLong()).isEqualTo(3);
    assertThat(r.summary().get("retries").asLong()).as("HTTP 400 is not retried").isZero();
    assertThat(r.summary().get("error").asText())
        .contains("3 consecutive rows failed")
        .contains("HTTP 400");
    assertThat(r.log())
        .anyMatch(
            l ->
                l.matches(
                    "row \\d+ \\(.*sharegpt.jsonl record \\d+\\) failed: v1/completions: HTTP 400.*"));
  }

  @Test
  void refusesToMixADifferentDatasetIntoAnExistingOutput() throws Exception {
    assertThat(run(args(0, 1)).exitCode()).isZero();
    Run other = run(args(0, 1, "--seed", "12"));
    assertThat(other.exitCode()).isEqualTo(1);
    assertThat(other.summary().get("error").asText())
        .contains("already holds a dataset from other inputs");
    assertThat(run(args(0, 1)).summary().get("skipped").asLong())
        .as("same inputs resume")
        .isEqualTo(RECORDS - 2);
  }

  @Test
  void shardsRunningAtTheSameTimeMergeOnce() throws Exception {
    int shards = 3;
    ExecutorService pool = Executors.newFixedThreadPool(shards);
    List<Future<Run>> runs = new ArrayList<>();
    for (int i = 0; i < shards; i++) {
      final int shard = i;
      runs.add(
          pool.submit(
              () -> DatagenTestSupport.run(tmp.resolve("log-" + shard), args(shard, shards))));
    }
    long samples = 0;
    int merged = 0;
    for (Future<Run> f : runs) {
      Run r = f.get();
      assertThat(r.exitCode()).as(String.join("\n", r.log())).isZero();
      samples += r.summary().get("samples").asLong();
      merged += r.summary().get("merged").asBoolean() ? 1 : 0;
    }
    pool.shutdown();
    assertThat(samples).isEqualTo(RECORDS - 2);
    assertThat(merged).isGreaterThanOrEqualTo(1);
    assertThat(
            JSON.readTree(out.resolve("data/data_config.json").toFile())
                .at("/data/num_samples")
                .asLong())
        .isEqualTo(RECORDS - 2);
    assertThat(JSON.readTree(out.resolve("data/sample_lengths.json").toFile()).size())
        .isEqualTo(RECORDS - 2);
    try (Stream<Path> s = Files.list(out.resolve("shards"))) {
      assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly(
              "plan.json",
              "shard-0-of-3.json",
              "shard-1-of-3.json",
              "shard-2-of-3.json",
              "token_freq-0-of-3.pt",
              "token_freq-1-of-3.pt",
              "token_freq-2-of-3.pt");
    }
  }

  @Test
  void concurrencyIsBounded() throws Exception {
    vllm.completionDelayMillis = 40;
    Run r = run(args(0, 1, "--concurrency", "4"));
    assertThat(r.exitCode()).isZero();
    assertThat(vllm.maxInFlight.get()).isBetween(2, 4);
  }

  /**
   * The user question of the first user turn, decoded from the ids via the tokenizer-independent
   * text of the sample.
   */
  private String decodeQuestion(Sample s) throws Exception {
    try (var tok =
        ai.djl.huggingface.tokenizers.HuggingFaceTokenizer.newInstance(
            model.resolve("tokenizer.json"),
            Map.of("addSpecialTokens", "false", "truncation", "false"))) {
      String text = tok.decode(s.ids(), false);
      int at = text.indexOf("Question ");
      return text.substring(at, text.indexOf('?', at));
    }
  }

  private static List<Long> range(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long i = from; i < to; i++) {
      out.add(i);
    }
    return out;
  }
}
