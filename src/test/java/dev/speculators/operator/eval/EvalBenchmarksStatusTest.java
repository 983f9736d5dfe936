package dev.speculators.operator.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speculators.api.EvalBenchmarkResult;
import dev.speculators.eval.BenchmarkSettings;
import dev.speculators.eval.DatasetResult;
import dev.speculators.eval.EvalDataset;
import dev.speculators.eval.EvalOutputs;
import dev.speculators.eval.EvalResults;
import dev.speculators.eval.GuidellmCli;
import dev.speculators.eval.GuidellmResult;
import dev.speculators.eval.SpecDecodeCounters;
import dev.speculators.io.TerminationLog;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The pod contract for multi-benchmark runs: the eval container's termination message, from the
 * real GuideLLM 0.7.3 sweep, read back into {@code status.results.benchmarks}.
 */
class EvalBenchmarksStatusTest {

  @Test
  void everyBenchmarkOfASweepReachesTheStatus() throws Exception {
    GuidellmResult sweep =
        GuidellmResult.read(
            Path.of(
                getClass()
                    .getResource("/eval/guidellm/benchmarks-0.7.3-synthetic-sweep.json")
                    .toURI()));
    SpecDecodeCounters zero = new SpecDecodeCounters(0, 0, 0, new long[] {0, 0, 0});
    SpecDecodeCounters after = new SpecDecodeCounters(10, 30, 12, new long[] {6, 4, 2});
    EvalDataset d =
        EvalDataset.file("math", "m", EvalDataset.Kind.LOCAL_FILE, Path.of("/d/math.jsonl"));
    EvalResults results =
        new EvalResults(
            "http://v",
            null,
            "0.11.2",
            List.of("m"),
            "guidellm",
            GuidellmCli.V0_7,
            "0.7.3",
            new BenchmarkSettings(
                "sweep", List.of(3.0), null, 3, null, null, null, null, null, null),
            List.of(new DatasetResult(d, zero, after, sweep, null, null)),
            true,
            null);
    JsonNode message =
        new ObjectMapper().readTree(TerminationLog.encode(EvalOutputs.summary(results)));

    List<EvalBenchmarkResult> status = EvalPlanner.benchmarks(message.get("benchmarks"));

    assertThat(status)
        .extracting(b -> b.strategy)
        .containsExactly("synchronous", "throughput@512", "constant@24.667");
    EvalBenchmarkResult throughput = status.get(1);
    assertThat(throughput.dataset).isEqualTo("math");
    assertThat(throughput.outputTokensPerSecond).isEqualTo(775.3);
    assertThat(throughput.requestsPerSecond).isEqualTo(24.67);
    assertThat(throughput.ttftMsMedian).isEqualTo(566.88);
    assertThat(throughput.itlMsMedian).isEqualTo(11.67);
    assertThat(throughput.erroredRequests).isEqualTo(77L);
    assertThat(status.get(0).erroredRequests).isNull();
    assertThat(status.get(0).baselineOutputTokensPerSecond).isNull();
    assertThat(EvalPlanner.benchmarks(null)).isNull();
  }
}
