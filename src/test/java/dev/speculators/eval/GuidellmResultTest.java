package dev.speculators.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuidellmResultTest {

  @Test
  void readsThePinnedV073Layout() throws IOException {
    GuidellmResult r = GuidellmResult.read(TestResources.path("guidellm/v0.7.3-throughput.json"));
    assertThat(r.layout()).isEqualTo("0.7");
    assertThat(r.guidellmVersion()).isEqualTo("0.7.3");
    assertThat(r.benchmarks()).hasSize(1);
    GuidellmBenchmark b = r.headline();
    assertThat(b.strategy()).isEqualTo("throughput");
    assertThat(b.requestsPerSecond()).isEqualTo(3.2);
    assertThat(b.outputTokensPerSecond()).isEqualTo(812.5);
    assertThat(b.ttftMs()).isEqualTo(new GuidellmBenchmark.Stat(142.7, 380.2));
    assertThat(b.itlMs()).isEqualTo(new GuidellmBenchmark.Stat(11.8, 25.4));
    assertThat(b.tpotMs()).isEqualTo(new GuidellmBenchmark.Stat(12.4, 26.9));
    assertThat(b.requestLatencyS()).isEqualTo(new GuidellmBenchmark.Stat(3.41, 7.92));
    assertThat(b.requests()).isEqualTo(new GuidellmBenchmark.Requests(200, 0, 0, 200));
  }

  @Test
  void readsTheV06LayoutAndPicksTheFastestBenchmarkAsHeadline() throws IOException {
    GuidellmResult r = GuidellmResult.read(TestResources.path("guidellm/v0.6.0-sweep.json"));
    assertThat(r.layout()).isEqualTo("0.6");
    assertThat(r.guidellmVersion()).isEqualTo("0.6.0");
    assertThat(r.benchmarks())
        .extracting(GuidellmBenchmark::strategy)
        .containsExactly("synchronous", "throughput");
    assertThat(r.benchmarks().get(0).requests())
        .isEqualTo(new GuidellmBenchmark.Requests(40, 0, 2, 42));
    assertThat(r.headline().strategy()).isEqualTo("throughput");
    assertThat(r.headline().requests()).isEqualTo(new GuidellmBenchmark.Requests(160, 3, 0, 163));
  }

  @Test
  void toleratesTheV03Layout() throws IOException {
    GuidellmResult r = GuidellmResult.read(TestResources.path("guidellm/v0.3.0-throughput.json"));
    assertThat(r.layout()).isEqualTo("0.3");
    assertThat(r.guidellmVersion()).isNull();
    assertThat(r.headline().strategy()).isEqualTo("throughput");
    assertThat(r.headline().outputTokensPerSecond()).isEqualTo(700.0);
    assertThat(r.headline().requests().successful()).isEqualTo(200);
  }

  @Test
  void missingMetricsAreNaNAndBrokenFilesAreNamed(@TempDir Path dir) throws IOException {
    ObjectMapper json = new ObjectMapper();
    GuidellmResult r =
        GuidellmResult.parse("f", json.readTree("{\"benchmarks\":[{\"metrics\":{}}]}"));
    assertThat(r.headline().outputTokensPerSecond()).isNaN();
    assertThat(r.headline().ttftMs().median()).isNaN();
    assertThat(r.headline().requests()).isEqualTo(GuidellmBenchmark.Requests.UNKNOWN);

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
