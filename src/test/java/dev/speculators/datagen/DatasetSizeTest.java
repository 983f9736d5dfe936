package dev.speculators.datagen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.speculators.datagen.chat.TokenRow;
import dev.speculators.io.HostTensor;
import dev.speculators.io.StorageCheck;
import dev.speculators.io.dataset.SampleLengths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage pre-flight's formula against the bytes that sample files really take: files written
 * by {@link SampleStore} (what {@code datagen} writes) for a synthetic 8-layer, 4096-wide target,
 * and a whole dataset that {@code datagen} generated with the tiny example model.
 */
class DatasetSizeTest {
  @TempDir Path tmp;

  private static long write(Path file, int tokens, int layers, int hidden, SplittableRandom rnd)
      throws IOException {
    long[] ids = new long[tokens];
    long[] mask = new long[tokens];
    for (int i = 0; i < tokens; i++) {
      ids[i] = rnd.nextInt(128_000);
      mask[i] = i % 3 == 0 ? 0 : 1;
    }
    List<HostTensor> states = new ArrayList<>();
    for (int l = 0; l < layers; l++) {
      float[] v = new float[tokens * hidden];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) rnd.nextGaussian();
      }
      states.add(HostTensor.ofFloats(v, tokens, hidden));
    }
    return SampleStore.write(file, new TokenRow(ids, mask), states);
  }

  @Test
  void theFileOverheadIsWhatTheTorchContainerTakes() throws IOException {
    SplittableRandom rnd = new SplittableRandom(1);
    for (int layers : new int[] {1, 4, 8, 16}) {
      // row numbers of one and of six digits: the record names carry them
      long one = write(tmp.resolve("data_1.pt"), 1, layers, 8, rnd);
      long big = write(tmp.resolve("data_123456.pt"), 1, layers, 8, rnd);
      long more = write(tmp.resolve("data_2.pt"), 1001, layers, 8, rnd);
      DatasetSize size = new DatasetSize(1, 1, layers, 8, true);
      long perToken = (long) layers * 8 * 2 + DatasetSize.TOKEN_BYTES;
      System.out.printf(
          "%d layers: container %d to %d bytes, formula %d%n",
          layers, one - perToken, big - perToken, size.fileOverhead());
      // the container around one token, and its growth with the token count
      assertThat((double) size.fileOverhead())
          .as("container bytes of a %d-layer sample", layers)
          .isCloseTo(one - perToken, within(0.1 * (one - perToken)))
          .isCloseTo(big - perToken, within(0.1 * (big - perToken)));
      assertThat((double) (more - one))
          .as("bytes of 1000 more tokens")
          .isCloseTo(1000.0 * perToken, within(0.05 * 1000 * perToken));
    }
  }

  @Test
  void eightLayers4096WideWithin20PercentOfTheWrittenFiles() throws IOException {
    Path data = Files.createDirectories(tmp.resolve("synthetic/data"));
    SplittableRandom rnd = new SplittableRandom(7);
    int samples = 12;
    long tokens = 0;
    for (int i = 0; i < samples; i++) {
      int s = 16 + rnd.nextInt(80);
      tokens += s;
      write(data.resolve("data_" + i + ".pt"), s, 8, 4096, rnd);
    }
    long written = StorageCheck.bytesUnder(data);
    long estimate = new DatasetSize(samples, (double) tokens / samples, 8, 4096, true).bytes();
    System.out.printf(
        "8 layers x 4096: %d samples, %d tokens, written %d bytes, estimated %d (%.2f%%)%n",
        samples, tokens, written, estimate, 100.0 * (estimate - written) / written);
    assertThat((double) estimate).isCloseTo(written, within(0.2 * written));
    // without the metadata allowance the sample formula alone is within a percent
    double files = samples * new DatasetSize(samples, 1, 8, 4096, true).sampleBytes(0);
    double perToken = 8 * 4096 * 2 + DatasetSize.TOKEN_BYTES;
    assertThat(files + tokens * perToken).isCloseTo(written, within(0.01 * written));
  }

  @Test
  void eightLayers4096WideThroughDatagenWithin20Percent() throws Exception {
    // datagen against the in-test vLLM stand-in, with a target of hidden size 4096
    Path model = DatagenTestSupport.modelDir(tmp.resolve("model"), "llama3_1", 32, 4096);
    Path chats = DatagenTestSupport.dataset(tmp.resolve("chats/sharegpt.jsonl"), 24, 2, 2);
    Path staging = tmp.resolve("hs");
    Path out = tmp.resolve("wide");
    try (FakeVllmServer vllm = new FakeVllmServer(model, staging, "/srv/hidden_states", 8, 4096)) {
      DatagenTestSupport.Run run =
          DatagenTestSupport.run(
              tmp.resolve("termination-log"),
              "--endpoint",
              vllm.endpoint() + "/v1",
              "--model",
              model.toString(),
              "--data",
              chats.toString(),
              "--output",
              out.toString(),
              "--seq-length",
              "128",
              "--layer-ids",
              "2,6,10,14,18,22,28,32",
              "--concurrency",
              "2",
              "--hidden-states-dir",
              staging.toString());
      assertThat(run.exitCode()).as(String.join("\n", run.log())).isZero();
    }
    long written = StorageCheck.bytesUnder(out);
    SortedMap<Integer, Integer> lengths =
        SampleLengths.read(out.resolve("data/sample_lengths.json"));
    long tokens = lengths.values().stream().mapToLong(Integer::longValue).sum();
    long estimate =
        new DatasetSize(lengths.size(), (double) tokens / lengths.size(), 8, 4096, true).bytes();
    long preflight =
        DatagenTestSupport.JSON
            .readTree(out.resolve("data/data_config.json").toFile())
            .at("/speculators_operator/estimated_bytes")
            .asLong();
    System.out.printf(
        "8 layers x 4096 through datagen: %d samples, %d tokens, written %d bytes, formula %d"
            + " (%.2f%%), worker's pre-flight %d (%.2f%%)%n",
        lengths.size(),
        tokens,
        written,
        estimate,
        100.0 * (estimate - written) / written,
        preflight,
        100.0 * (preflight - written) / written);
    assertThat((double) estimate).isCloseTo(written, within(0.2 * written));
    assertThat((double) preflight).isCloseTo(written, within(0.2 * written));
  }

  @Test
  void theTinyPipelineWithin20PercentOfWhatDatagenWrote() throws Exception {
    Path examples = Path.of("examples", "local").toAbsolutePath();
    Path out = tmp.resolve("tiny-chat");
    Path terminationLog = tmp.resolve("termination-log");
    List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
    int code =
        new picocli.CommandLine(
                new dev.speculators.cli.DatagenCommand(
                    log::add,
                    new DatagenWorker.Dependencies(
                        null, null, new dev.speculators.engine.ReferenceEngineFactory())))
            .setCaseInsensitiveEnumValuesAllowed(true)
            .execute(
                "--model",
                examples.resolve("tiny-model").toString(),
                "--data",
                examples.resolve("data/conversations.jsonl") + ",maxSamples=200",
                "--output",
                out.toString(),
                "--seq-length",
                "256",
                "--layer-ids",
                "1,2,3,4",
                "--engine",
                "reference",
                "--concurrency",
                "2",
                "--termination-log",
                terminationLog.toString());
    assertThat(code).as(String.join("\n", log)).isZero();
    JsonNode summary = DatagenTestSupport.JSON.readTree(terminationLog.toFile());
    long written = StorageCheck.bytesUnder(out);
    SortedMap<Integer, Integer> lengths =
        SampleLengths.read(out.resolve("data/sample_lengths.json"));
    long tokens = lengths.values().stream().mapToLong(Integer::longValue).sum();
    long estimate =
        new DatasetSize(lengths.size(), (double) tokens / lengths.size(), 4, 96, true).bytes();
    JsonNode config =
        DatagenTestSupport.JSON.readTree(out.resolve("data/data_config.json").toFile());
    long preflight = config.at("/speculators_operator/estimated_bytes").asLong();
    System.out.printf(
        "tiny pipeline: %d samples, %d tokens, written %d bytes, formula %d (%.2f%%),"
            + " pre-flight from 64 rendered rows %d (%.2f%%)%n",
        lengths.size(),
        tokens,
        written,
        estimate,
        100.0 * (estimate - written) / written,
        preflight,
        100.0 * (preflight - written) / written);
    assertThat((double) estimate).isCloseTo(written, within(0.2 * written));
    // the worker's own estimate, made before it wrote anything from a sample of rendered rows
    assertThat((double) preflight).isCloseTo(written, within(0.2 * written));
    assertThat(summary.get("estimatedBytes").asLong()).isEqualTo(preflight);
  }

  @Test
  void theCapMakesAnUpperBound() {
    DatasetSize capped = new DatasetSize(1000, 8192, 4, 4096, false);
    DatasetSize measured = new DatasetSize(1000, 1200, 4, 4096, true);
    assertThat(capped.bytes()).isGreaterThan(6 * measured.bytes());
    assertThat(capped.describe()).contains("at most 8192 tokens");
    assertThat(measured.describe()).contains("mean 1200 tokens");
    // 1000 × 8192 × 4 × 4096 × 2 bytes of hidden states dominate
    assertThat(capped.bytes()).isBetween(268_435_456_000L, 270_000_000_000L);
  }
}
