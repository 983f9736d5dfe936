package dev.speculators.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class GuidellmCliTest {
  private static final Path OUT = Path.of("/results/guidellm_x.json");
  private static final EvalDataset FILE =
      EvalDataset.file("x", "x", EvalDataset.Kind.LOCAL_FILE, Path.of("/data/x.jsonl"));

  private static BenchmarkSettings settings(String profile, List<Double> rates) {
    return new BenchmarkSettings(profile, rates, null, null, null, null, null, null, null, null);
  }

  @Test
  void profilesMapToTypedSpecs() {
    assertThat(
            GuidellmCli.V0_7.arguments(
                "http://v:8000", FILE, settings("throughput", List.of(128.0)), OUT))
        .containsSubsequence("--profile", "kind=throughput,max_concurrency=128")
        .doesNotContain("--override");
    assertThat(
            GuidellmCli.V0_7.arguments(
                "http://v:8000", FILE, settings("sweep", List.of(10.0)), OUT))
        .containsSubsequence("--profile", "kind=sweep,sweep_size=10");
    assertThat(
            GuidellmCli.V0_7.arguments(
                "http://v:8000", FILE, settings("constant", List.of(2.5)), OUT))
        .containsSubsequence("--profile", "kind=constant,rate=2.5");
    assertThat(
            GuidellmCli.V0_7.arguments(
                "http://v:8000", FILE, settings("concurrent", List.of(1.0, 2.0, 4.0)), OUT))
        .containsSubsequence(
            "--profile", "kind=concurrent,streams=1", "--override", "profile.streams", "1,2,4");
    assertThat(
            GuidellmCli.V0_7.arguments(
                "http://v:8000", FILE, settings("synchronous", List.of()), OUT))
        .containsSubsequence("--profile", "kind=synchronous");
    assertThat(
            GuidellmCli.V0_6.arguments(
                "http://v:8000", FILE, settings("poisson", List.of(1.5, 3.0)), OUT))
        .containsSubsequence("--profile", "poisson", "--rate", "1.5", "--rate", "3");
  }

  @Test
  void everyOptionReachesGuidellm() {
    BenchmarkSettings s =
        new BenchmarkSettings(
            "throughput", List.of(), 200, 600, 0.0, 1.0, 1, "served", "/models/t", "prompt");
    assertThat(GuidellmCli.V0_7.arguments("http://v:8000", FILE, s, OUT))
        .containsExactly(
            "run",
            "--backend",
            "kind=openai_http,target=http://v:8000,model=served,extras.body.temperature=0,extras.body.top_p=1,extras.body.top_k=1",
            "--profile",
            "kind=throughput",
            "--constraint",
            "kind=max_requests,count=200",
            "--constraint",
            "kind=max_duration,seconds=600",
            "--data",
            "kind=json_file,path=/data/x.jsonl",
            "--data-column-mapper",
            "kind=generative_column_mapper,column_mappings.text_column=prompt",
            "--tokenizer",
            "kind=huggingface_auto,model=/models/t",
            "--output",
            "kind=json,path=/results/guidellm_x.json",
            "--disable-console-interactive");
    assertThat(GuidellmCli.V0_6.arguments("http://v:8000", FILE, s, OUT))
        .containsExactly(
            "benchmark",
            "run",
            "--target",
            "http://v:8000",
            "--model",
            "served",
            "--profile",
            "throughput",
            "--max-requests",
            "200",
            "--max-seconds",
            "600",
            "--data",
            "/data/x.jsonl",
            "--data-column-mapper",
            "{\"text_column\":\"prompt\"}",
            "--processor",
            "/models/t",
            "--backend-args",
            "{\"extras\":{\"body\":{\"temperature\":0.0,\"top_p\":1.0,\"top_k\":1}}}",
            "--output-path",
            "/results/guidellm_x.json",
            "--disable-console-interactive");
  }

  @Test
  void builtinAndSyntheticDataAndAwkwardPaths() {
    BenchmarkSettings s = settings("throughput", List.of());
    assertThat(
            GuidellmCli.V0_7.arguments(
                "http://v",
                EvalDataset.guidellm("p", "prompt_tokens=256,output_tokens=128"),
                s,
                OUT))
        .containsSubsequence("--data", "kind=synthetic_text,prompt_tokens=256,output_tokens=128");
    assertThat(
            GuidellmCli.V0_7.arguments(
                "http://v", EvalDataset.guidellm("p", "kind=huggingface,source=a/b"), s, OUT))
        .containsSubsequence("--data", "kind=huggingface,source=a/b");
    assertThat(
            GuidellmCli.V0_7.arguments("http://v", EvalDataset.guidellm("e", "emulated"), s, OUT))
        .containsSubsequence("--data", "emulated");
    EvalDataset csv =
        EvalDataset.file("c", "c", EvalDataset.Kind.LOCAL_FILE, Path.of("/data/c.csv"));
    assertThat(GuidellmCli.V0_7.arguments("http://v", csv, s, OUT))
        .containsSubsequence("--data", "kind=csv_file,path=/data/c.csv");
    // a comma would split a key=value spec: such values go as JSON
    EvalDataset odd =
        EvalDataset.file("o", "o", EvalDataset.Kind.LOCAL_FILE, Path.of("/data/a,b c.jsonl"));
    assertThat(GuidellmCli.V0_7.arguments("http://v", odd, s, OUT))
        .containsSubsequence("--data", "{\"kind\":\"json_file\",\"path\":\"/data/a,b c.jsonl\"}");
  }

  @Test
  void invalidSettingsAreRefused() {
    assertThatThrownBy(() -> settings("warp", List.of()))
        .hasMessageContaining("--profile warp: expected one of");
    assertThatThrownBy(() -> settings("poisson", List.of())).hasMessageContaining("needs --rate");
    assertThatThrownBy(() -> settings("throughput", List.of(-1.0)))
        .hasMessageContaining("must be a positive number");
    assertThatThrownBy(() -> GuidellmCli.parse("0.5")).hasMessageContaining("expected 0.7 or 0.6");
    assertThat(GuidellmCli.parse("0.7.3")).isEqualTo(GuidellmCli.V0_7);
  }
}
