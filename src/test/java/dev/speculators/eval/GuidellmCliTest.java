package dev.speculators.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.speculators.api.EvalPreset;
import dev.speculators.api.EvalPresets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The exact GuideLLM 0.7.3 argument lists, against the facts of its source (tag v0.7.3) that each
 * one depends on, so that a change that real GuideLLM would refuse fails here without GuideLLM:
 *
 * <ul>
 *   <li>{@code cli/run.py}: options {@code --backend --profile --constraint --data
 *       --data-column-mapper --tokenizer --output} take {@code kind=...} specs or JSON; {@code
 *       --override KEY VALUES} supports only {@code profile.streams} and {@code profile.rate}
 *       ({@code benchmark/entrypoints.py} merges sub-benchmarks and raises {@code
 *       NotImplementedError} for any other differing field);
 *   <li>{@code benchmark/profiles/}: throughput {@code max_concurrency: PositiveInt | None} is
 *       required (no default); sweep {@code sweep_size: int >= 2}; concurrent {@code streams:
 *       list[PositiveInt]}; constant/poisson {@code rate: list[PositiveFloat]}; synchronous has no
 *       number;
 *   <li>{@code data/deserializers/file.py}: {@code json_file} (.json/.jsonl), {@code csv_file},
 *       {@code parquet_file} call {@code load_dataset(builder, data_files=path, **load_kwargs)},
 *       which returns a {@code DatasetDict} GuideLLM cannot use unless {@code load_kwargs.split} is
 *       given; {@code huggingface} takes {@code source} and {@code load_kwargs};
 *   <li>{@code data/preprocessors/mappers.py}: {@code generative_column_mapper} with {@code
 *       column_mappings.text_column}; {@code data/tokenizers/huggingface.py}: {@code
 *       huggingface_auto} with {@code model}; {@code scheduler/constraints}: {@code max_requests}
 *       with {@code count}, {@code max_duration} with {@code seconds};
 *   <li>{@code backends/openai/http.py}: {@code openai_http} with {@code target}, {@code model} and
 *       {@code extras.body} merged into every request body;
 *   <li>{@code utils/arg_string.py}: {@code key=value} pairs are split at commas and every value is
 *       read with {@code yaml.safe_load}.
 * </ul>
 *
 * Each of these lists was also run by hand with the real GuideLLM 0.7.3 against an
 * OpenAI-compatible server and completed.
 */
class GuidellmCliTest {
  private static final String TARGET = "http://127.0.0.1:8000";
  private static final Path OUT = Path.of("/results/guidellm_x.json.partial.json");
  private static final EvalDataset JSONL = file("/data/x.jsonl");

  private static EvalDataset file(String path) {
    return EvalDataset.file("x", path, EvalDataset.Kind.LOCAL_FILE, Path.of(path));
  }

  private static BenchmarkSettings settings(String profile, List<Double> rates) {
    return new BenchmarkSettings(profile, rates, null, null, null, null, null, null, null, null);
  }

  /** The list with the given profile options and everything else minimal. */
  private static List<String> minimal(String... profileOptions) {
    List<String> a =
        new ArrayList<>(List.of("run", "--backend", "kind=openai_http,target=" + TARGET));
    a.addAll(List.of(profileOptions));
    a.addAll(
        List.of(
            "--data",
            "kind=json_file,path=/data/x.jsonl,load_kwargs.split=train",
            "--output",
            "kind=json,path=" + OUT,
            "--disable-console-interactive"));
    return a;
  }

  private static List<String> v07(BenchmarkSettings s) {
    return GuidellmCli.V0_7.arguments(TARGET, JSONL, s, OUT);
  }

  @Test
  void throughputWithoutARateIsUnlimitedThroughAnExplicitNull() {
    assertThat(v07(settings("throughput", List.of())))
        .containsExactlyElementsOf(minimal("--profile", "kind=throughput,max_concurrency=null"));
  }

  @Test
  void throughputWithOneRateIsItsMaxConcurrency() {
    assertThat(v07(settings("throughput", List.of(128.0))))
        .containsExactlyElementsOf(minimal("--profile", "kind=throughput,max_concurrency=128"));
  }

  @Test
  void sweepTakesItsSizeOrGuidellmsDefault() {
    assertThat(v07(settings("sweep", List.of())))
        .containsExactlyElementsOf(minimal("--profile", "kind=sweep"));
    assertThat(v07(settings("sweep", List.of(5.0))))
        .containsExactlyElementsOf(minimal("--profile", "kind=sweep,sweep_size=5"));
  }

  @Test
  void synchronousHasNoNumber() {
    assertThat(v07(settings("synchronous", List.of())))
        .containsExactlyElementsOf(minimal("--profile", "kind=synchronous"));
  }

  @Test
  void concurrentStreamsAndSeveralOfThemThroughTheStreamsOverride() {
    assertThat(v07(settings("concurrent", List.of(4.0))))
        .containsExactlyElementsOf(minimal("--profile", "kind=concurrent,streams=4"));
    assertThat(v07(settings("concurrent", List.of(1.0, 2.0, 8.0))))
        .containsExactlyElementsOf(
            minimal(
                "--profile",
                "kind=concurrent,streams=1",
                "--override",
                "profile.streams",
                "1,2,8"));
  }

  @Test
  void constantAndPoissonRatesAndSeveralThroughTheRateOverride() {
    assertThat(v07(settings("constant", List.of(2.5))))
        .containsExactlyElementsOf(minimal("--profile", "kind=constant,rate=2.5"));
    assertThat(v07(settings("constant", List.of(5.0, 10.5))))
        .containsExactlyElementsOf(
            minimal("--profile", "kind=constant,rate=5", "--override", "profile.rate", "5,10.5"));
    assertThat(v07(settings("poisson", List.of(0.25, 8.0))))
        .containsExactlyElementsOf(
            minimal("--profile", "kind=poisson,rate=0.25", "--override", "profile.rate", "0.25,8"));
  }

  @Test
  void onlyTheOverridesGuidellmCanMergeAreEmitted() {
    for (String profile : BenchmarkSettings.PROFILES) {
      for (List<Double> rates : List.of(List.<Double>of(), List.of(2.0), List.of(2.0, 4.0))) {
        BenchmarkSettings s;
        try {
          s = settings(profile, rates);
        } catch (IllegalArgumentException refused) {
          continue;
        }
        List<String> args = v07(s);
        int at = args.indexOf("--override");
        if (at >= 0) {
          assertThat(args.get(at + 1)).isIn("profile.streams", "profile.rate");
          assertThat(profile).isIn("concurrent", "constant", "poisson");
        }
      }
    }
  }

  @Test
  void profileRatesGuidellmCannotRunAreRefused() {
    assertThatThrownBy(() -> settings("throughput", List.of(2.0, 4.0)))
        .hasMessageContaining("--profile throughput takes at most one --rate");
    assertThatThrownBy(() -> settings("throughput", List.of(2.5)))
        .hasMessageContaining("whole number --rate (max concurrency)");
    assertThatThrownBy(() -> settings("sweep", List.of(5.0, 10.0)))
        .hasMessageContaining("--profile sweep takes at most one --rate");
    assertThatThrownBy(() -> settings("sweep", List.of(1.0)))
        .hasMessageContaining("whole number --rate of 2 or more");
    assertThatThrownBy(() -> settings("concurrent", List.of()))
        .hasMessageContaining("--profile concurrent needs --rate");
    assertThatThrownBy(() -> settings("concurrent", List.of(1.5)))
        .hasMessageContaining("whole numbers in --rate");
    assertThatThrownBy(() -> settings("constant", List.of()))
        .hasMessageContaining("--profile constant needs --rate");
    assertThatThrownBy(() -> settings("poisson", List.of()))
        .hasMessageContaining("--profile poisson needs --rate");
    assertThatThrownBy(() -> settings("synchronous", List.of(1.0)))
        .hasMessageContaining("--profile synchronous takes no --rate");
    assertThatThrownBy(() -> settings("warp", List.of()))
        .hasMessageContaining("--profile warp: expected one of");
    assertThatThrownBy(() -> settings("throughput", List.of(-1.0)))
        .hasMessageContaining("must be a positive number");
    assertThatThrownBy(
            () ->
                new BenchmarkSettings(
                    "throughput", List.of(), null, null, null, null, null, null, null, "a.b"))
        .hasMessageContaining("--text-column 'a.b': must be a column name without '.'");
  }

  @Test
  void everyFileKindNamesTheTrainSplit() {
    BenchmarkSettings s = settings("synchronous", List.of());
    assertThat(GuidellmCli.V0_7.arguments(TARGET, file("/data/p.jsonl"), s, OUT))
        .containsSubsequence("--data", "kind=json_file,path=/data/p.jsonl,load_kwargs.split=train");
    assertThat(GuidellmCli.V0_7.arguments(TARGET, file("/data/p.json"), s, OUT))
        .containsSubsequence("--data", "kind=json_file,path=/data/p.json,load_kwargs.split=train");
    assertThat(GuidellmCli.V0_7.arguments(TARGET, file("/data/p.csv"), s, OUT))
        .containsSubsequence("--data", "kind=csv_file,path=/data/p.csv,load_kwargs.split=train");
    assertThat(GuidellmCli.V0_7.arguments(TARGET, file("/data/P.Parquet"), s, OUT))
        .containsSubsequence(
            "--data", "kind=parquet_file,path=/data/P.Parquet,load_kwargs.split=train");
    // a Hub file is read from the Hub cache, where it was downloaded
    EvalDataset hubFile =
        EvalDataset.file(
            "math_reasoning",
            EvalPresets.MATH_REASONING,
            EvalDataset.Kind.HUB_FILE,
            Path.of(
                "/hf/hub/datasets--RedHatAI--speculator_benchmarks/snapshots/abc/math_reasoning.jsonl"));
    assertThat(GuidellmCli.V0_7.arguments(TARGET, hubFile, s, OUT))
        .containsSubsequence(
            "--data",
            "kind=json_file,path=/hf/hub/datasets--RedHatAI--speculator_benchmarks/snapshots/abc/math_reasoning.jsonl,load_kwargs.split=train");
  }

  @Test
  void syntheticAndTypedDataSpecs() {
    BenchmarkSettings s = settings("synchronous", List.of());
    assertThat(data("prompt_tokens=256,output_tokens=128"))
        .isEqualTo("kind=synthetic_text,prompt_tokens=256,output_tokens=128");
    assertThat(data("kind=synthetic_text,prompt_tokens=32,output_tokens=16"))
        .isEqualTo("kind=synthetic_text,prompt_tokens=32,output_tokens=16");
    // GuideLLM 0.7.3 refuses a JSON spec without kind ("missing required key 'kind'", exit 2)
    assertThat(data("{\"prompt_tokens\": 16, \"output_tokens\": 4}"))
        .isEqualTo("{\"kind\":\"synthetic_text\",\"prompt_tokens\":16,\"output_tokens\":4}");
    // a whole Hub dataset, loaded by GuideLLM, with the split it must name
    assertThat(data("kind=huggingface,source=org/ds,load_kwargs.split=test"))
        .isEqualTo("kind=huggingface,source=org/ds,load_kwargs.split=test");
    // typed file specs without a split get the one split a data file has
    assertThat(data("kind=csv_file,path=/data/p.csv"))
        .isEqualTo("kind=csv_file,path=/data/p.csv,load_kwargs.split=train");
    assertThat(data("kind=json_file,path=/data/p.jsonl,load_kwargs.split=train"))
        .isEqualTo("kind=json_file,path=/data/p.jsonl,load_kwargs.split=train");
    assertThat(data("{\"kind\":\"json_file\",\"path\":\"/data/a b.jsonl\"}"))
        .isEqualTo(
            "{\"kind\":\"json_file\",\"path\":\"/data/a b.jsonl\",\"load_kwargs\":{\"split\":\"train\"}}");
    assertThat(
            data(
                "{\"kind\":\"huggingface\",\"source\":\"o/d\",\"load_kwargs\":{\"split\":\"test\"}}"))
        .isEqualTo(
            "{\"kind\":\"huggingface\",\"source\":\"o/d\",\"load_kwargs\":{\"split\":\"test\"}}");
  }

  private static String data(String spec) {
    List<String> args =
        GuidellmCli.V0_7.arguments(
            TARGET, EvalDataset.guidellm("d", spec), settings("synchronous", List.of()), OUT);
    return args.get(args.indexOf("--data") + 1);
  }

  @Test
  void dataSpecsGuidellmCannotLoadAreNamed() {
    assertThat(GuidellmData.problem("prompt_tokens=256,output_tokens=128")).isNull();
    assertThat(GuidellmData.problem("kind=hf,source=o/d,load_kwargs.split=train")).isNull();
    assertThat(GuidellmData.problem("emulated"))
        .contains("not a GuideLLM 0.7.3 data spec")
        .contains("no named built-in datasets");
    assertThat(GuidellmData.problem("kind=huggingface,source=org/ds"))
        .isEqualTo(
            "a kind=huggingface dataset needs load_kwargs.split=NAME (GuideLLM cannot benchmark a"
                + " dataset with several splits)");
    assertThat(GuidellmData.problem("{\"kind\":\"hf\",\"source\":\"o/d\"}"))
        .contains("needs load_kwargs.split=NAME");
    assertThat(GuidellmData.problem("kind=emulated")).contains("has no data kind 'emulated'");
    assertThat(GuidellmData.problem("kind=synthetic_text,oops"))
        .contains("'oops' is not key=value");
    assertThat(GuidellmData.problem("{\"kind\":")).contains("not valid JSON");
  }

  @Test
  void mappingTokenizerLimitsAndSamplingInOneExactList() {
    BenchmarkSettings s =
        new BenchmarkSettings(
            "throughput", List.of(), 200, 600, 0.0, 1.0, 1, "served", "/models/t", "question");
    assertThat(GuidellmCli.V0_7.arguments(TARGET, JSONL, s, OUT))
        .containsExactly(
            "run",
            "--backend",
            "kind=openai_http,target="
                + TARGET
                + ",model=served,extras.body.temperature=0,extras.body.top_p=1,extras.body.top_k=1",
            "--profile",
            "kind=throughput,max_concurrency=null",
            "--constraint",
            "kind=max_requests,count=200",
            "--constraint",
            "kind=max_duration,seconds=600",
            "--data",
            "kind=json_file,path=/data/x.jsonl,load_kwargs.split=train",
            "--data-column-mapper",
            mapperFor("question"),
            "--tokenizer",
            "kind=huggingface_auto,model=/models/t",
            "--output",
            "kind=json,path=" + OUT,
            "--disable-console-interactive");
  }

  /** The operator runs every preset as: throughput, no limit, the preset's dataset and sampling. */
  @ParameterizedTest
  @EnumSource(EvalPreset.class)
  void everyPresetRunsAsOneExactList(EvalPreset preset) {
    EvalPresets.Preset p = EvalPresets.get(preset);
    EvalDataset math =
        EvalDataset.file(
            "math_reasoning",
            p.datasets().get(0),
            EvalDataset.Kind.HUB_FILE,
            Path.of("/hf/hub/math_reasoning.jsonl"));
    BenchmarkSettings s =
        new BenchmarkSettings(
            "throughput",
            List.of(),
            null,
            null,
            p.temperature(),
            p.topP(),
            p.topK(),
            p.baseModel(),
            null,
            null);
    assertThat(GuidellmCli.V0_7.arguments(TARGET, math, s, OUT))
        .containsExactly(
            "run",
            "--backend",
            "kind=openai_http,target="
                + TARGET
                + ",model="
                + p.baseModel()
                + ",extras.body.temperature=0.6,extras.body.top_p=0.95,extras.body.top_k=20",
            "--profile",
            "kind=throughput,max_concurrency=null",
            "--data",
            "kind=json_file,path=/hf/hub/math_reasoning.jsonl,load_kwargs.split=train",
            "--output",
            "kind=json,path=" + OUT,
            "--disable-console-interactive");
  }

  @Test
  void valuesYamlWouldNotReadBackAsWrittenGoAsJson() {
    BenchmarkSettings s =
        new BenchmarkSettings(
            "synchronous", List.of(), null, null, null, null, null, "on", null, "2024-01-01");
    List<String> a = GuidellmCli.V0_7.arguments(TARGET, file("/data/a,b c.jsonl"), s, OUT);
    assertThat(a)
        .containsSubsequence(
            "--backend",
            "{\"kind\":\"openai_http\",\"target\":\"" + TARGET + "\",\"model\":\"on\"}")
        .containsSubsequence(
            "--data",
            "{\"kind\":\"json_file\",\"path\":\"/data/a,b c.jsonl\",\"load_kwargs\":{\"split\":\"train\"}}")
        .containsSubsequence("--data-column-mapper", mapperFor("2024-01-01"));
    // a fraction with many digits stays a plain YAML float, never 1.0E-5 style
    BenchmarkSettings tiny =
        new BenchmarkSettings(
            "constant", List.of(0.00001), null, null, 1e-7, null, null, null, null, null);
    assertThat(v07(tiny))
        .containsSubsequence(
            "--backend", "kind=openai_http,target=" + TARGET + ",extras.body.temperature=0.0000001")
        .containsSubsequence("--profile", "kind=constant,rate=0.00001");
  }

  @Test
  void theGuidellm06CommandLine() {
    BenchmarkSettings s =
        new BenchmarkSettings(
            "throughput", List.of(), 200, 600, 0.0, 1.0, 1, "served", "/models/t", "prompt");
    assertThat(GuidellmCli.V0_6.arguments(TARGET, JSONL, s, OUT))
        .containsExactly(
            "benchmark",
            "run",
            "--target",
            TARGET,
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
            OUT.toString(),
            "--disable-console-interactive");
    assertThat(
            GuidellmCli.V0_6.arguments(TARGET, JSONL, settings("poisson", List.of(1.5, 3.0)), OUT))
        .containsSubsequence("--profile", "poisson", "--rate", "1.5", "--rate", "3");
    assertThatThrownBy(() -> GuidellmCli.parse("0.5")).hasMessageContaining("expected 0.7 or 0.6");
    assertThat(GuidellmCli.parse("0.7.3")).isEqualTo(GuidellmCli.V0_7);
  }

  /**
   * The column mapper for a named prompt column: GuideLLM 0.7.3 replaces its default mappings by
   * the given ones, so the other text columns' default names are passed along (a list, hence JSON).
   */
  private static String mapperFor(String textColumn) {
    return "{\"kind\":\"generative_column_mapper\",\"column_mappings\":{"
        + "\"text_column\":[\""
        + textColumn
        + "\"],"
        + "\"prefix_column\":[\"system_prompt\",\"system\",\"prefix\"],"
        + "\"prompt_tokens_count_column\":[\"prompt_tokens_count\",\"input_tokens_count\"],"
        + "\"output_tokens_count_column\":[\"output_tokens_count\",\"completion_tokens_count\"]}}";
  }
}
