package dev.speculators.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

  @Test
  void readsCommentsLabelsInAnyOrderEscapesAndSpecialValues() {
    String text =
        String.join(
            "\n",
            "# HELP vllm:spec_decode_num_drafts_total Number of spec decoding drafts.",
            "# TYPE vllm:spec_decode_num_drafts_total counter",
            "vllm:spec_decode_num_drafts_total{engine=\"0\",model_name=\"m\"} 1000.0",
            "vllm:spec_decode_num_drafts_created{engine=\"0\",model_name=\"m\"} 1.7e9",
            "  other_metric{ model_name = \"a \\\"quoted\\\" \\\\ name\\nx\" , engine=\"1\", } 1.5e+3 1712345678000",
            "nan_metric NaN",
            "inf_metric{le=\"+Inf\"} +Inf",
            "neg_metric -Inf",
            "exp_metric 2.5E-2 # {trace_id=\"abc\"} 1.0",
            "",
            "# EOF");
    List<PrometheusSample> samples = PrometheusText.parse("test", text);
    assertThat(samples)
        .extracting(PrometheusSample::name)
        .containsExactly(
            "vllm:spec_decode_num_drafts_total",
            "other_metric",
            "nan_metric",
            "inf_metric",
            "neg_metric",
            "exp_metric");
    assertThat(samples.get(0).labels()).isEqualTo(Map.of("engine", "0", "model_name", "m"));
    assertThat(samples.get(1).labels())
        .containsEntry("model_name", "a \"quoted\" \\ name\nx")
        .containsEntry("engine", "1");
    assertThat(samples.get(1).value()).isEqualTo(1500.0);
    assertThat(samples.get(2).value()).isNaN();
    assertThat(samples.get(3).value()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(samples.get(4).value()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(samples.get(5).value()).isEqualTo(0.025);
  }

  @Test
  void acceptsWindowsLineEndings() {
    assertThat(PrometheusText.parse("t", "# TYPE a counter\r\na_total 3\r\n"))
        .singleElement()
        .satisfies(s -> assertThat(s.value()).isEqualTo(3.0));
  }

  @Test
  void malformedLinesAreNamedByNumber() {
    assertThatThrownBy(
            () -> PrometheusText.parse("http://vllm/metrics", "# ok\na 1\nb{x=\"1\" 2\n"))
        .isInstanceOf(MalformedInputException.class)
        .hasMessageStartingWith("http://vllm/metrics line 3:")
        .satisfies(e -> assertThat(((MalformedInputException) e).lineNumber()).isEqualTo(3));
    assertThatThrownBy(() -> PrometheusText.parse("m", "a 1\nb twelve\n"))
        .hasMessageContaining("line 2: invalid value 'twelve'");
    assertThatThrownBy(() -> PrometheusText.parse("m", "a{x=\"1\",x=\"2\"} 1"))
        .hasMessageContaining("line 1: label 'x' appears twice");
    assertThatThrownBy(() -> PrometheusText.parse("m", "a{x=\"\\q\"} 1"))
        .hasMessageContaining("invalid escape");
    assertThatThrownBy(() -> PrometheusText.parse("m", "a{x=\"1} 1"))
        .hasMessageContaining("unterminated");
    assertThatThrownBy(() -> PrometheusText.parse("m", "a 1 2 3"))
        .hasMessageContaining("unexpected text after the value");
    assertThatThrownBy(() -> PrometheusText.parse("m", "{x=\"1\"} 1"))
        .hasMessageContaining("expected a metric name");
    assertThatThrownBy(() -> PrometheusText.parse("m", "a\n"))
        .hasMessageContaining("line 1: expected a space and a value");
    assertThatThrownBy(() -> PrometheusText.parse("m", "a 0x10"))
        .hasMessageContaining("invalid value '0x10'");
  }
}
