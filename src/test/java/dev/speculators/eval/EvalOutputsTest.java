package dev.speculators.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.io.TerminationLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Per-benchmark numbers of multi-benchmark runs, on the real GuideLLM 0.7.3 sweep. */
class EvalOutputsTest {
  private static final SpecDecodeCounters BEFORE =
      new SpecDecodeCounters(100, 300, 150, new long[] {70, 50, 30});
  private static final SpecDecodeCounters AFTER =
      new SpecDecodeCounters(400, 1200, 600, new long[] {280, 200, 120});

  private static EvalResults results(int datasets, GuidellmResult benchmark, GuidellmResult base) {
    List<DatasetResult> list = new ArrayList<>();
    for (int i = 0; i < datasets; i++) {
      EvalDataset d =
          EvalDataset.file(
              "dataset_" + i, "d" + i, EvalDataset.Kind.LOCAL_FILE, Path.of("/d" + i + ".jsonl"));
      list.add(new DatasetResult(d, BEFORE, AFTER, benchmark, base, base == null ? null : "b"));
    }
    return new EvalResults(
        "http://v",
        null,
        "0.11.2",
        List.of("m"),
        "guidellm",
        GuidellmCli.V0_7,
        "0.7.3",
        new BenchmarkSettings("sweep", List.of(3.0), null, 3, null, null, null, null, null, null),
        list,
        true,
        null);
  }

  private static GuidellmResult fixture(String name) throws IOException {
    return GuidellmResult.read(TestResources.path("guidellm/" + name));
  }

  @Test
  void aSweepReportsEveryBenchmarkInResultsStatusAndTable() throws IOException {
    GuidellmResult sweep = fixture("benchmarks-0.7.3-synthetic-sweep.json");
    EvalResults r = results(1, sweep, null);

    JsonNode all = EvalOutputs.resultsJson(r).path("datasets").get(0).path("throughput");
    assertThat(all.path("benchmarks")).hasSize(3);
    assertThat(all.path("benchmarks").get(2).path("label").asText()).isEqualTo("constant@24.667");
    assertThat(all.path("benchmarks").get(2).path("rate").asDouble()).isEqualTo(24.666666666666668);
    assertThat(all.path("benchmarks").get(1).path("requests").path("errored").asLong())
        .isEqualTo(77);

    ObjectNode summary = EvalOutputs.summary(r);
    assertThat(summary.path("benchmarks").toString())
        .isEqualTo(
            "[{\"dataset\":\"dataset_0\",\"strategy\":\"synchronous\",\"outputTokensPerSecond\":330.0,"
                + "\"requestsPerSecond\":11.0,\"ttftMsMedian\":32.95,\"itlMsMedian\":1.91},"
                + "{\"dataset\":\"dataset_0\",\"strategy\":\"throughput@512\",\"outputTokensPerSecond\":775.3,"
                + "\"requestsPerSecond\":24.67,\"ttftMsMedian\":566.88,\"itlMsMedian\":11.67,"
                + "\"erroredRequests\":77},"
                + "{\"dataset\":\"dataset_0\",\"strategy\":\"constant@24.667\",\"outputTokensPerSecond\":713.5,"
                + "\"requestsPerSecond\":24.0,\"ttftMsMedian\":35.25,\"itlMsMedian\":2.22}]");
    assertThat(summary.has("benchmarksOmitted")).isFalse();
    // the headline is still the fastest benchmark
    assertThat(summary.path("outputTokensPerSecond").asDouble()).isEqualTo(775.3);

    assertThat(EvalOutputs.warnings(r))
        .containsExactly("dataset_0: 77 of 540 requests failed (throughput@512)");
    String table = EvalOutputs.table(r);
    assertThat(table.lines().filter(l -> l.startsWith("dataset_0  ")))
        .hasSize(4)
        .anyMatch(l -> l.contains("constant@24.667") && l.contains("713.5") && l.contains("24.00"))
        .anyMatch(l -> l.contains("throughput@512") && l.endsWith("77"));
  }

  @Test
  void theBaselineNumberIsGivenWhereTheSameStrategyRanWithoutSpeculation() throws IOException {
    GuidellmResult sweep = fixture("benchmarks-0.7.3-synthetic-sweep.json");
    GuidellmResult baseline = fixture("benchmarks-0.6.0-synthetic-sweep.json");
    JsonNode list = EvalOutputs.summary(results(1, sweep, baseline)).path("benchmarks");
    // synchronous and throughput@512 ran on both servers; the sweep's constant rates differ
    assertThat(list.get(0).path("baselineOutputTokensPerSecond").asDouble()).isEqualTo(327.4);
    assertThat(list.get(1).path("baselineOutputTokensPerSecond").asDouble()).isEqualTo(1696.6);
    assertThat(list.get(2).has("baselineOutputTokensPerSecond")).isFalse();
    assertThat(EvalOutputs.warnings(results(1, baseline, sweep)))
        .containsExactly("dataset_0: 77 of 540 baseline requests failed (throughput@512)");
  }

  @Test
  void manyBenchmarksAreCutToFitTheTerminationMessage() throws IOException {
    GuidellmResult sweep = fixture("benchmarks-0.7.3-synthetic-sweep.json");
    EvalResults r = results(16, sweep, null);
    ObjectNode summary = EvalOutputs.summary(r);
    int kept = summary.path("benchmarks").size();
    assertThat(kept).isBetween(10, 47);
    assertThat(summary.path("benchmarksOmitted").asInt()).isEqualTo(48 - kept);
    assertThat(TerminationLog.encode(summary).length).isLessThanOrEqualTo(TerminationLog.MAX_BYTES);
    assertThat(new String(TerminationLog.encode(summary))).doesNotContain("truncated");
    // in dataset order, from the first benchmark on
    assertThat(summary.path("benchmarks").get(3).path("dataset").asText()).isEqualTo("dataset_1");

    // a single-benchmark run keeps its summary as it was
    ObjectNode single =
        EvalOutputs.summary(results(16, fixture("benchmarks-0.7.3-jsonl-throughput.json"), null));
    assertThat(single.has("benchmarks")).isFalse();
    assertThat(single.has("benchmarksOmitted")).isFalse();
  }
}
