package dev.speculators.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SpecDecodeCountersTest {

  static String scrape(String model, long[][] engines) {
    // engines[e] = {drafts, draftTokens, accepted, pos0, pos1, ...}
    StringBuilder b = new StringBuilder();
    b.append("# HELP vllm:num_requests_running Number of requests in model execution batches.\n");
    b.append("# TYPE vllm:num_requests_running gauge\n");
    b.append("vllm:num_requests_running{engine=\"0\",model_name=\"")
        .append(model)
        .append("\"} 3.0\n");
    String[] names = {
      SpecDecodeCounters.DRAFTS, SpecDecodeCounters.DRAFT_TOKENS, SpecDecodeCounters.ACCEPTED_TOKENS
    };
    for (int c = 0; c < 3; c++) {
      b.append("# TYPE ").append(names[c].replace("_total", "")).append(" counter\n");
      for (int e = 0; e < engines.length; e++) {
        // labels deliberately in both orders
        String labels =
            e % 2 == 0
                ? "engine=\"" + e + "\",model_name=\"" + model + "\""
                : "model_name=\"" + model + "\",engine=\"" + e + "\"";
        b.append(names[c])
            .append('{')
            .append(labels)
            .append("} ")
            .append(engines[e][c])
            .append(".0\n");
        b.append(names[c].replace("_total", "_created"))
            .append('{')
            .append(labels)
            .append("} 1.7e9\n");
      }
    }
    for (int e = 0; e < engines.length; e++) {
      for (int p = 3; p < engines[e].length; p++) {
        b.append(SpecDecodeCounters.ACCEPTED_PER_POSITION)
            .append("{position=\"")
            .append(p - 3)
            .append("\",engine=\"")
            .append(e)
            .append("\",model_name=\"")
            .append(model)
            .append("\"} ")
            .append(engines[e][p])
            .append(".0\n");
      }
    }
    return b.toString();
  }

  @Test
  void sumsOverEnginesAndReadsPositions() {
    String text =
        scrape(
            "meta-llama/Llama-3.1-8B-Instruct",
            new long[][] {{400, 1200, 640, 290, 200, 150}, {600, 1800, 1020, 420, 330, 270}});
    SpecDecodeCounters c = SpecDecodeCounters.fromPrometheusText("scrape", text);
    assertThat(c.drafts()).isEqualTo(1000);
    assertThat(c.draftTokens()).isEqualTo(3000);
    assertThat(c.acceptedTokens()).isEqualTo(1660);
    assertThat(c.acceptedPerPosition()).containsExactly(710, 530, 420);
    assertThat(SpecDecodeCounters.present(PrometheusText.parse("s", text))).isTrue();
    assertThat(SpecDecodeCounters.present(PrometheusText.parse("s", "vllm:num_requests_running 1")))
        .isFalse();
  }

  @Test
  void exportsTheVllmExpositionAndReadsItBack() {
    SpecDecodeCounters c = new SpecDecodeCounters(1000, 3000, 1660, new long[] {710, 530, 420});
    String text = c.toPrometheusText("org/\"odd\" name");
    assertThat(text)
        .contains(
            "vllm:spec_decode_num_drafts_total{engine=\"0\",model_name=\"org/\\\"odd\\\" name\"} 1000.0");
    assertThat(text).contains("# TYPE vllm:spec_decode_num_accepted_tokens_per_pos counter");
    assertThat(SpecDecodeCounters.fromPrometheusText("export", text)).isEqualTo(c);
    assertThat(PrometheusText.parse("export", text).get(0).labels().get("model_name"))
        .isEqualTo("org/\"odd\" name");
  }

  @Test
  void deltasAndSums() {
    SpecDecodeCounters before = new SpecDecodeCounters(400, 1200, 640, new long[] {290, 200, 150});
    SpecDecodeCounters after = new SpecDecodeCounters(1000, 3000, 1660, new long[] {710, 530, 420});
    SpecDecodeCounters delta = after.minus(before);
    assertThat(delta)
        .isEqualTo(new SpecDecodeCounters(600, 1800, 1020, new long[] {420, 330, 270}));
    assertThat(delta.plus(delta))
        .isEqualTo(new SpecDecodeCounters(1200, 3600, 2040, new long[] {840, 660, 540}));
    assertThat(SpecDecodeCounters.ZERO.plus(delta)).isEqualTo(delta);
  }

  @Test
  void aCounterGoingDownMeansARestart() {
    SpecDecodeCounters before = new SpecDecodeCounters(400, 1200, 640, new long[] {290});
    SpecDecodeCounters after = new SpecDecodeCounters(10, 30, 16, new long[] {7});
    assertThatThrownBy(() -> after.minus(before))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(SpecDecodeCounters.DRAFTS)
        .hasMessageContaining("restarted");
  }

  @Test
  void perPositionSamplesNeedAPosition() {
    assertThatThrownBy(
            () ->
                SpecDecodeCounters.fromPrometheusText(
                    "s", SpecDecodeCounters.ACCEPTED_PER_POSITION + "{engine=\"0\"} 5"))
        .hasMessageContaining("'position'");
    assertThatThrownBy(
            () -> SpecDecodeCounters.fromPrometheusText("s", SpecDecodeCounters.DRAFTS + " NaN"))
        .hasMessageContaining("not a count");
  }
}
