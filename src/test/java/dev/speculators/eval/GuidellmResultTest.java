package dev.speculators.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parser on result files written by the real GuideLLM (see the fixtures' README). */
class GuidellmResultTest {

  @Test
  void readsARealThroughputRunOverAJsonlFile() throws IOException {
    GuidellmResult r =
        GuidellmResult.read(TestResources.path("guidellm/benchmarks-0.7.3-jsonl-throughput.json"));
    assertThat(r.layout()).isEqualTo("0.7");
    assertThat(r.guidellmVersion()).isEqualTo("0.7.3");
    assertThat(r.benchmarks()).hasSize(1);
    GuidellmBenchmark b = r.headline();
    assertThat(b.strategy()).isEqualTo("throughput");
    assertThat(b.maxConcurrency()).isEqualTo(4);
    assertThat(b.rate()).isNull();
    assertThat(b.streams()).isNull();
    assertThat(b.label()).isEqualTo("throughput@4");
    assertThat(b.requestsPerSecond()).isEqualTo(21.947574355711737);
    assertThat(b.outputTokensPerSecond()).isEqualTo(926.4655743781694);
    assertThat(b.ttftMs())
        .isEqualTo(new GuidellmBenchmark.Stat(91.20345115661621, 179.94046211242676));
    assertThat(b.itlMs())
        .isEqualTo(new GuidellmBenchmark.Stat(2.2798776626586914, 3.118549074445452));
    assertThat(b.tpotMs())
        .isEqualTo(new GuidellmBenchmark.Stat(5.473876821583715, 8.465610701462317));
    assertThat(b.requestLatencyS())
        .isEqualTo(new GuidellmBenchmark.Stat(0.15930700302124023, 0.24649572372436523));
    assertThat(b.requests()).isEqualTo(new GuidellmBenchmark.Requests(12, 0, 0, 12));
  }

  @Test
  void readsARealSyntheticThroughputRun() throws IOException {
    GuidellmResult r =
        GuidellmResult.read(
            TestResources.path("guidellm/benchmarks-0.7.3-synthetic-throughput.json"));
    assertThat(r.benchmarks()).singleElement();
    assertThat(r.headline().outputTokensPerSecond()).isEqualTo(908.7442796378016);
    assertThat(r.headline().ttftMs().median()).isEqualTo(95.0002670288086);
    assertThat(r.headline().requests()).isEqualTo(new GuidellmBenchmark.Requests(12, 0, 0, 12));
  }

  @Test
  void readsEveryBenchmarkOfARealSweepWithErroredRequests() throws IOException {
    GuidellmResult r =
        GuidellmResult.read(TestResources.path("guidellm/benchmarks-0.7.3-synthetic-sweep.json"));
    assertThat(r.layout()).isEqualTo("0.7");
    assertThat(r.benchmarks())
        .extracting(GuidellmBenchmark::label)
        .containsExactly("synchronous", "throughput@512", "constant@24.667");
    GuidellmBenchmark sync = r.benchmarks().get(0);
    assertThat(sync.outputTokensPerSecond()).isEqualTo(330.0125597739153);
    assertThat(sync.requests()).isEqualTo(new GuidellmBenchmark.Requests(34, 0, 0, 34));
    GuidellmBenchmark throughput = r.benchmarks().get(1);
    assertThat(throughput.requestsPerSecond()).isEqualTo(24.666666666666668);
    assertThat(throughput.outputTokensPerSecond()).isEqualTo(775.2744913868161);
    assertThat(throughput.ttftMs().p99()).isEqualTo(2432.1138858795166);
    assertThat(throughput.requests()).isEqualTo(new GuidellmBenchmark.Requests(74, 389, 77, 540));
    GuidellmBenchmark constant = r.benchmarks().get(2);
    assertThat(constant.rate()).isEqualTo(24.666666666666668);
    assertThat(constant.maxConcurrency()).isEqualTo(512);
    assertThat(constant.outputTokensPerSecond()).isEqualTo(713.458740410693);
    assertThat(constant.requests()).isEqualTo(new GuidellmBenchmark.Requests(72, 3, 0, 75));
    // the headline is the fastest benchmark; the others stay in the result
    assertThat(r.headline()).isSameAs(throughput);
  }

  @Test
  void readsEveryStreamCountOfARealConcurrentRun() throws IOException {
    // eval --profile concurrent --rate 1,2,4: kind=concurrent,streams=1 --override profile.streams
    GuidellmResult r =
        GuidellmResult.read(TestResources.path("guidellm/benchmarks-0.7.3-json-concurrent.json"));
    assertThat(r.layout()).isEqualTo("0.7");
    assertThat(r.benchmarks())
        .extracting(GuidellmBenchmark::label)
        .containsExactly("concurrent@1", "concurrent@2", "concurrent@4");
    assertThat(r.benchmarks())
        .extracting(GuidellmBenchmark::requests)
        .containsOnly(new GuidellmBenchmark.Requests(2, 0, 0, 2));
    assertThat(r.benchmarks())
        .extracting(GuidellmBenchmark::outputTokensPerSecond)
        .containsExactly(306.1424035619138, 1789.760614465543, 195.96346391945244);
    assertThat(r.headline()).isSameAs(r.benchmarks().get(1));
  }

  @Test
  void readsARealGuidellm06Sweep() throws IOException {
    GuidellmResult r =
        GuidellmResult.read(TestResources.path("guidellm/benchmarks-0.6.0-synthetic-sweep.json"));
    assertThat(r.layout()).isEqualTo("0.6");
    assertThat(r.guidellmVersion()).isEqualTo("0.6.0");
    assertThat(r.benchmarks())
        .extracting(GuidellmBenchmark::label)
        .containsExactly("synchronous", "throughput@512", "constant@138.097");
    assertThat(r.benchmarks())
        .extracting(GuidellmBenchmark::outputTokensPerSecond)
        .containsExactly(327.3885261656695, 1696.5533420972797, 361.8294180761413);
    assertThat(r.headline().strategy()).isEqualTo("throughput");
    assertThat(r.headline().requests()).isEqualTo(new GuidellmBenchmark.Requests(6, 0, 0, 6));
  }

  @Test
  void olderLayoutsAreRecognisedByTheirTopLevelKeys() throws IOException {
    ObjectMapper json = new ObjectMapper();
    String benchmark =
        "{\"args\":{\"strategy\":{\"type_\":\"concurrent\",\"streams\":2}},"
            + "\"metrics\":{\"output_tokens_per_second\":{\"successful\":{\"mean\":5.0}}},"
            + "\"run_stats\":{\"requests_made\":{\"successful\":3,\"errored\":1}}}";
    GuidellmResult v06 =
        GuidellmResult.parse(
            "f",
            json.readTree(
                "{\"metadata\":{\"guidellm_version\":\"0.6.0\"},\"args\":{},\"benchmarks\":["
                    + benchmark
                    + "]}"));
    assertThat(v06.layout()).isEqualTo("0.6");
    assertThat(v06.guidellmVersion()).isEqualTo("0.6.0");
    assertThat(v06.headline().label()).isEqualTo("concurrent@2");
    assertThat(v06.headline().requests()).isEqualTo(new GuidellmBenchmark.Requests(3, 0, 1, 4));
    assertThat(
            GuidellmResult.parse(
                    "f", json.readTree("{\"args\":{},\"benchmarks\":[" + benchmark + "]}"))
                .layout())
        .isEqualTo("0.4");
    GuidellmResult v03 =
        GuidellmResult.parse("f", json.readTree("{\"benchmarks\":[" + benchmark + "]}"));
    assertThat(v03.layout()).isEqualTo("0.3");
    assertThat(v03.guidellmVersion()).isNull();
  }

  @Test
  void missingMetricsAreNaNAndBrokenFilesAreNamed(@TempDir Path dir) throws IOException {
    ObjectMapper json = new ObjectMapper();
    GuidellmResult r =
        GuidellmResult.parse("f", json.readTree("{\"benchmarks\":[{\"metrics\":{}}]}"));
    assertThat(r.headline().outputTokensPerSecond()).isNaN();
    assertThat(r.headline().ttftMs().median()).isNaN();
    assertThat(r.headline().requests()).isEqualTo(GuidellmBenchmark.Requests.UNKNOWN);
    assertThat(r.headline().label()).isEqualTo("unknown");

    assertThatThrownBy(() -> GuidellmResult.parse("f.json", json.readTree("{\"results\":[]}")))
        .hasMessage("f.json: no 'benchmarks' array: not a GuideLLM result file");
    assertThatThrownBy(() -> GuidellmResult.parse("f.json", json.readTree("{\"benchmarks\":[]}")))
        .hasMessageContaining("no benchmarks");
    assertThatThrownBy(() -> GuidellmResult.parse("f.json", json.readTree("{\"benchmarks\":[{}]}")))
        .hasMessageContaining("benchmarks[0] has no 'metrics'");
    Path broken = dir.resolve("broken.json");
    Files.writeString(broken, "{\"benchmarks\": [");
    assertThatThrownBy(() -> GuidellmResult.read(broken))
        .hasMessageContaining("broken.json: not a JSON document");
  }
}
