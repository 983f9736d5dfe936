package dev.speculators.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speculators.cli.EvalCommand;
import dev.speculators.eval.FakeVllmServer.Engine;
import dev.speculators.io.hub.FakeHubServer;
import dev.speculators.io.hub.HfHub;
import dev.speculators.io.hub.RepoType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code eval} end to end against a fake vLLM, a fake Hub and a fake GuideLLM executable. */
class EvalCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Real GuideLLM 0.7.3 results: the speculative server's and the baseline's. */
  private static final String SPEC = "benchmarks-0.7.3-jsonl-throughput.json";

  private static final String BASELINE = "benchmarks-0.7.3-synthetic-throughput.json";

  private static final double SPEC_TPS = 926.4655743781694;
  private static final double BASELINE_TPS = 908.7442796378016;

  @TempDir Path tmp;
  private FakeVllmServer vllm;
  private FakeVllmServer baseline;
  private FakeHubServer hubServer;
  private HfHub hub;
  private Path localData;
  private final List<String> log = Collections.synchronizedList(new ArrayList<>());
  private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

  @BeforeEach
  void setUp() throws IOException {
    assumeTrue(FakeGuidellm.bashAvailable(), "the fake GuideLLM is a bash script");
    // cumulative counters before the run: (400, 1200, 640, [290, 200, 150]) over two engines
    vllm =
        new FakeVllmServer(
                true,
                List.of(
                    new Engine(200, 600, 320, 145, 100, 75),
                    new Engine(200, 600, 320, 145, 100, 75)))
            // dataset 1: delta (600, 1800, 1020, [420, 330, 270])
            .thenAdvanceBy(
                new Engine(300, 900, 510, 210, 165, 135), new Engine(300, 900, 510, 210, 165, 135))
            // dataset 2: delta (400, 1200, 300, [200, 70, 30])
            .thenAdvanceBy(
                new Engine(150, 450, 100, 70, 20, 10), new Engine(250, 750, 200, 130, 50, 20));
    baseline = new FakeVllmServer(false, List.of());
    hubServer = new FakeHubServer();
    hubServer
        .addFile(RepoType.DATASET, "org/bench", "math.jsonl", "{\"prompt\":\"What is 2+2?\"}\n")
        .addFile(RepoType.DATASET, "org/bench", "README.md", "# bench\n");
    hub =
        new HfHub(
            hubServer.endpoint(),
            null,
            tmp.resolve("hub-cache"),
            false,
            HfHub.Options.defaults().withLog(log::add));
    localData = tmp.resolve("data/code.jsonl");
    Files.createDirectories(localData.getParent());
    Files.writeString(localData, "{\"prompt\":\"def f():\"}\n");
  }

  @AfterEach
  void tearDown() {
    if (vllm != null) {
      vllm.close();
      baseline.close();
      hubServer.close();
    }
  }

  private int eval(String... args) {
    EvalCommand command =
        new EvalCommand(
            hub,
            log::add,
            new PrintStream(stdout, true, StandardCharsets.UTF_8),
            new PrintStream(stderr, true, StandardCharsets.UTF_8));
    return new CommandLine(command)
        .setErr(
            new java.io.PrintWriter(
                new java.io.OutputStreamWriter(stderr, StandardCharsets.UTF_8), true))
        .execute(args);
  }

  private Path fakeGuidellm(FakeGuidellm.Behaviour behaviour, String specFixture)
      throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("bin"));
    return FakeGuidellm.write(
        dir,
        behaviour,
        List.of(
            new String[] {vllm.url(), TestResources.path("guidellm/" + specFixture).toString()},
            new String[] {baseline.url(), TestResources.path("guidellm/" + BASELINE).toString()}));
  }

  private String stderr() {
    return stderr.toString(StandardCharsets.UTF_8);
  }

  @Test
  void benchmarksEveryDatasetAndReportsAcceptanceThroughputAndSpeedup() throws IOException {
    Path exe = fakeGuidellm(FakeGuidellm.Behaviour.OK, SPEC);
    Path out = tmp.resolve("out");
    Path termination = tmp.resolve("termination-log");
    int code =
        eval(
            "--endpoint",
            vllm.url() + "/v1",
            "--data",
            "org/bench:math.jsonl",
            "--data",
            localData.toString(),
            "--output",
            out.toString(),
            "--guidellm",
            exe.toString(),
            "--max-requests",
            "50",
            "--baseline-endpoint",
            baseline.url(),
            "--termination-log",
            termination.toString(),
            "--startup-timeout",
            "10");
    assertThat(code).as(stderr()).isZero();
    assertThat(vllm.advances()).isEqualTo(2);
    assertThat(baseline.advances()).isEqualTo(2);
    // one progress line per finished run, speculator and baseline, for the operator's status
    List<JsonNode> progress =
        log.stream()
            .flatMap(l -> dev.speculators.io.ProgressLine.parse(l).stream())
            .map(JsonNode.class::cast)
            .toList();
    assertThat(progress)
        .extracting(p -> p.path("benchmarksCompleted").asInt())
        .containsExactly(1, 2, 3, 4);
    assertThat(progress)
        .allSatisfy(p -> assertThat(p.path("benchmarksTotal").asInt()).isEqualTo(4));
    assertThat(progress)
        .extracting(p -> p.path("dataset").asText() + "/" + p.path("baseline").asBoolean())
        .containsExactly("math/false", "math/true", "code/false", "code/true");
    assertThat(progress.get(3).path("etaSeconds").asLong()).isZero();

    JsonNode r = JSON.readTree(out.resolve("results.json").toFile());
    assertThat(r.path("complete").asBoolean()).isTrue();
    assertThat(r.path("server").path("vllmVersion").asText()).isEqualTo("0.11.2");
    assertThat(r.path("server").path("endpoint").asText()).isEqualTo(vllm.url());
    assertThat(r.path("server").path("servedModels").get(0).asText())
        .isEqualTo("meta-llama/Llama-3.1-8B-Instruct");
    assertThat(r.path("guidellm").path("version").asText()).isEqualTo("0.7.3");
    assertThat(r.path("datasets")).hasSize(2);

    JsonNode math = r.path("datasets").get(0);
    assertThat(math.path("name").asText()).isEqualTo("math");
    assertThat(math.path("kind").asText()).isEqualTo("hub_file");
    assertCounters(math.path("counters").path("before"), 400, 1200, 640, 290, 200, 150);
    assertCounters(math.path("counters").path("after"), 1000, 3000, 1660, 710, 530, 420);
    assertCounters(math.path("counters").path("delta"), 600, 1800, 1020, 420, 330, 270);
    assertAcceptance(
        math.path("acceptance"),
        600,
        1800,
        1020,
        2.70,
        1020.0 / 1800,
        new double[] {0.70, 0.55, 0.45},
        new double[] {0.70, 0.55 / 0.70, 0.45 / 0.55});
    JsonNode headline = math.path("throughput").path("headline");
    assertThat(headline.path("strategy").asText()).isEqualTo("throughput");
    assertThat(headline.path("label").asText()).isEqualTo("throughput@4");
    assertThat(headline.path("maxConcurrency").asInt()).isEqualTo(4);
    assertThat(headline.path("requestsPerSecond").asDouble()).isEqualTo(21.947574355711737);
    assertThat(headline.path("outputTokensPerSecond").asDouble()).isEqualTo(SPEC_TPS);
    assertThat(headline.path("ttftMs").path("median").asDouble()).isEqualTo(91.20345115661621);
    assertThat(headline.path("ttftMs").path("p99").asDouble()).isEqualTo(179.94046211242676);
    assertThat(headline.path("itlMs").path("median").asDouble()).isEqualTo(2.2798776626586914);
    assertThat(headline.path("itlMs").path("p99").asDouble()).isEqualTo(3.118549074445452);
    assertThat(headline.path("tpotMs").path("median").asDouble()).isEqualTo(5.473876821583715);
    assertThat(headline.path("tpotMs").path("p99").asDouble()).isEqualTo(8.465610701462317);
    assertThat(headline.path("requestLatencyS").path("median").asDouble())
        .isEqualTo(0.15930700302124023);
    assertThat(headline.path("requestLatencyS").path("p99").asDouble())
        .isEqualTo(0.24649572372436523);
    assertThat(headline.path("requests").path("successful").asLong()).isEqualTo(12);
    assertThat(math.path("throughput").path("benchmarks")).hasSize(1);
    assertThat(math.path("baseline").path("headline").path("outputTokensPerSecond").asDouble())
        .isEqualTo(BASELINE_TPS);
    assertThat(math.path("baseline").path("source").asText()).isEqualTo(baseline.url());
    assertThat(math.path("speedup").asDouble()).isEqualTo(SPEC_TPS / BASELINE_TPS);

    JsonNode code2 = r.path("datasets").get(1);
    assertThat(code2.path("name").asText()).isEqualTo("code");
    assertThat(code2.path("kind").asText()).isEqualTo("local_file");
    assertCounters(code2.path("counters").path("delta"), 400, 1200, 300, 200, 70, 30);
    assertAcceptance(
        code2.path("acceptance"),
        400,
        1200,
        300,
        1.75,
        0.25,
        new double[] {0.5, 0.175, 0.075},
        new double[] {0.5, 0.35, 0.075 / 0.175});

    JsonNode pooled = r.path("pooled");
    assertThat(pooled.path("datasets").asInt()).isEqualTo(2);
    assertAcceptance(
        pooled.path("acceptance"),
        1000,
        3000,
        1320,
        2.32,
        0.44,
        new double[] {0.62, 0.40, 0.30},
        new double[] {0.62, 0.40 / 0.62, 0.75});
    assertThat(pooled.path("throughput").path("outputTokensPerSecond").asDouble())
        .isCloseTo(SPEC_TPS, within(1e-9));
    assertThat(pooled.path("throughput").path("baselineOutputTokensPerSecond").asDouble())
        .isCloseTo(BASELINE_TPS, within(1e-9));
    assertThat(pooled.path("throughput").path("speedup").asDouble())
        .isCloseTo(SPEC_TPS / BASELINE_TPS, within(1e-12));
    assertThat(pooled.path("throughput").path("ttftMsMedian").asDouble())
        .isCloseTo(91.20345115661621, within(1e-9));
    assertThat(pooled.path("throughput").path("itlMsMedian").asDouble())
        .isCloseTo(2.2798776626586914, within(1e-9));
    assertThat(r.path("warnings")).isEmpty();

    // acceptance.csv: one row per dataset and pooled, full precision
    List<String> csv = Files.readAllLines(out.resolve("acceptance.csv"));
    assertThat(csv)
        .containsExactly(
            "dataset,drafts,draft_tokens,accepted_tokens,mean_acceptance_length,acceptance_rate,"
                + "acceptance_at_pos_0,acceptance_at_pos_1,acceptance_at_pos_2,"
                + "conditional_acceptance_at_pos_0,conditional_acceptance_at_pos_1,conditional_acceptance_at_pos_2",
            "math,600,1800,1020,2.7,0.5666666666666667,0.7,0.55,0.45,0.7,"
                + (330.0 / 420)
                + ","
                + (270.0 / 330),
            "code,400,1200,300,1.75,0.25,0.5,0.175,0.075,0.5,0.35," + (30.0 / 70),
            "pooled,1000,3000,1320,2.32,0.44,0.62,0.4,0.3,0.62," + (400.0 / 620) + ",0.75");

    // the compact summary: termination message and summary.json
    JsonNode summary = JSON.readTree(Files.readString(termination));
    assertThat(summary).isEqualTo(JSON.readTree(out.resolve("summary.json").toFile()));
    assertThat(summary.path("kind").asText()).isEqualTo("eval");
    assertThat(summary.path("meanAcceptanceLength").asDouble()).isEqualTo(2.32);
    assertThat(summary.path("perPositionAcceptance").toString()).isEqualTo("[0.62,0.4,0.3]");
    assertThat(summary.path("conditionalAcceptance").toString()).isEqualTo("[0.62,0.6452,0.75]");
    assertThat(summary.path("acceptanceRate").asDouble()).isEqualTo(0.44);
    assertThat(summary.path("drafts").asLong()).isEqualTo(1000);
    assertThat(summary.path("draftTokens").asLong()).isEqualTo(3000);
    assertThat(summary.path("acceptedTokens").asLong()).isEqualTo(1320);
    assertThat(summary.path("outputTokensPerSecond").asDouble()).isEqualTo(926.5);
    assertThat(summary.path("baselineOutputTokensPerSecond").asDouble()).isEqualTo(908.7);
    assertThat(summary.path("speedup").asDouble()).isEqualTo(1.020);
    assertThat(summary.path("ttftMsMedian").asDouble()).isEqualTo(91.2);
    assertThat(summary.path("itlMsMedian").asDouble()).isEqualTo(2.28);
    assertThat(summary.has("benchmarks")).as("one benchmark per dataset").isFalse();
    assertThat(summary.path("datasets").asInt()).isEqualTo(2);
    assertThat(summary.has("noDrafts")).isFalse();
    assertThat(Files.size(termination)).isLessThan(4096);

    // raw outputs and logs
    for (String f :
        List.of(
            "guidellm_math.json",
            "guidellm_code.json",
            "guidellm_baseline_math.json",
            "guidellm_baseline_code.json",
            "guidellm_math.log",
            "guidellm_baseline_code.log",
            "metrics_math_before.prom",
            "metrics_math_after.prom",
            "metrics_code_after.prom")) {
      assertThat(out.resolve(f)).as(f).isRegularFile();
    }
    assertThat(Files.readString(out.resolve("guidellm_math.log")))
        .contains("GuideLLM (fake) benchmarking " + vllm.url());
    assertThat(log).anyMatch(l -> l.equals("[guidellm] Benchmarks complete, results saved"));
    try (var files = Files.list(out)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.contains(".partial") || n.contains(".tmp-"));
    }

    // the table for people
    String table = stdout.toString(StandardCharsets.UTF_8);
    assertThat(table).contains("dataset").contains("mean AL").contains("speedup");
    assertThat(table.lines().filter(l -> l.startsWith("math")))
        .singleElement()
        .asString()
        .contains("2.700")
        .contains("0.700 0.550 0.450")
        .contains("926.5")
        .contains("908.7")
        .contains("1.020");
    assertThat(table.lines().filter(l -> l.startsWith("pooled")))
        .singleElement()
        .asString()
        .contains("2.320");

    // the GuideLLM 0.7.3 command line
    List<List<String>> calls = FakeGuidellm.calls(tmp.resolve("bin"));
    assertThat(calls).hasSize(4);
    List<String> first = calls.get(0);
    assertThat(first.get(0)).isEqualTo("run");
    assertThat(first)
        .containsSubsequence(
            "--backend",
            "kind=openai_http,target="
                + vllm.url()
                + ",extras.body.temperature=0.6,extras.body.top_p=0.95,extras.body.top_k=20");
    assertThat(first).containsSubsequence("--profile", "kind=throughput,max_concurrency=null");
    assertThat(first).containsSubsequence("--constraint", "kind=max_requests,count=50");
    assertThat(first)
        .containsSubsequence(
            "--data",
            "kind=json_file,path="
                + hub.download(RepoType.DATASET, "org/bench", "main", "math.jsonl")
                + ",load_kwargs.split=train");
    assertThat(first)
        .containsSubsequence(
            "--output",
            "kind=json,path=" + out.toAbsolutePath().resolve("guidellm_math.json.partial.json"));
    assertThat(first).contains("--disable-console-interactive");
    assertThat(calls.get(1))
        .containsSubsequence(
            "--backend",
            "kind=openai_http,target="
                + baseline.url()
                + ",extras.body.temperature=0.6,extras.body.top_p=0.95,extras.body.top_k=20");
    assertThat(calls.get(2))
        .containsSubsequence(
            "--data",
            "kind=json_file,path=" + localData.toAbsolutePath() + ",load_kwargs.split=train");
  }

  @Test
  void speaksTheGuidellm06CommandLineAndReadsItsResults() throws IOException {
    Path exe = fakeGuidellm(FakeGuidellm.Behaviour.OK, "benchmarks-0.6.0-synthetic-sweep.json");
    Path out = tmp.resolve("out06");
    int code =
        eval(
            "--endpoint",
            vllm.url(),
            "--data",
            localData.toString(),
            "--output",
            out.toString(),
            "--guidellm",
            exe.toString(),
            "--guidellm-cli",
            "0.6",
            "--profile",
            "sweep",
            "--rate",
            "5",
            "--max-seconds",
            "30",
            "--top-k",
            "5",
            "--processor",
            "/models/target",
            "--termination-log",
            tmp.resolve("t").toString());
    assertThat(code).as(stderr()).isZero();
    List<String> args = FakeGuidellm.calls(tmp.resolve("bin")).get(0);
    assertThat(args.subList(0, 4)).containsExactly("benchmark", "run", "--target", vllm.url());
    assertThat(args)
        .containsSubsequence(
            "--profile",
            "sweep",
            "--rate",
            "5",
            "--max-seconds",
            "30",
            "--data",
            localData.toAbsolutePath().toString());
    assertThat(args).containsSubsequence("--processor", "/models/target");
    assertThat(args)
        .containsSubsequence(
            "--backend-args",
            "{\"extras\":{\"body\":{\"temperature\":0.6,\"top_p\":0.95,\"top_k\":5}}}");
    assertThat(args)
        .containsSubsequence(
            "--output-path",
            out.toAbsolutePath().resolve("guidellm_code.json.partial.json").toString());

    JsonNode d = JSON.readTree(out.resolve("results.json").toFile()).path("datasets").get(0);
    assertThat(d.path("throughput").path("layout").asText()).isEqualTo("0.6");
    assertThat(d.path("throughput").path("benchmarks")).hasSize(3);
    assertThat(d.path("throughput").path("headline").path("strategy").asText())
        .isEqualTo("throughput");
    assertThat(d.path("acceptance").path("meanAcceptanceLength").asDouble())
        .isCloseTo(2.7, within(1e-12));
    assertThat(d.path("baseline").isNull()).isTrue();
    assertThat(d.path("speedup").isNull()).isTrue();
  }

  @Test
  void aBaselineCanComeFromAnEarlierResultFile() throws IOException {
    Path exe = fakeGuidellm(FakeGuidellm.Behaviour.OK, SPEC);
    Path out = tmp.resolve("out");
    int code =
        eval(
            "--endpoint",
            vllm.url(),
            "--data",
            localData.toString(),
            "--output",
            out.toString(),
            "--guidellm",
            exe.toString(),
            "--baseline-results",
            TestResources.path("guidellm/" + BASELINE).toString(),
            "--termination-log",
            tmp.resolve("t").toString());
    assertThat(code).as(stderr()).isZero();
    JsonNode r = JSON.readTree(out.resolve("results.json").toFile());
    assertThat(r.path("datasets").get(0).path("speedup").asDouble())
        .isEqualTo(SPEC_TPS / BASELINE_TPS);
    assertThat(r.path("pooled").path("throughput").path("speedup").asDouble())
        .isEqualTo(SPEC_TPS / BASELINE_TPS);
    assertThat(baseline.advances()).isZero();
  }

  @Test
  void aFailingGuidellmIsReportedAndEarlierResultsAreKept() throws IOException {
    Path exe = fakeGuidellm(FakeGuidellm.Behaviour.EXIT_3, SPEC);
    Path out = tmp.resolve("out");
    Path termination = tmp.resolve("termination-log");
    int code =
        eval(
            "--endpoint",
            vllm.url(),
            "--data",
            localData.toString(),
            "--output",
            out.toString(),
            "--guidellm",
            exe.toString(),
            "--termination-log",
            termination.toString());
    assertThat(code).isEqualTo(1);
    assertThat(stderr())
        .contains("GuideLLM exited with code 3 for dataset 'code'")
        .contains("ValueError: backend validation failed: model not found")
        .contains("guidellm_code.log");
    JsonNode r = JSON.readTree(out.resolve("results.json").toFile());
    assertThat(r.path("complete").asBoolean()).isFalse();
    assertThat(r.path("error").asText()).contains("GuideLLM exited with code 3");
    JsonNode summary = JSON.readTree(Files.readString(termination));
    assertThat(summary.path("kind").asText()).isEqualTo("eval");
    assertThat(summary.path("error").asText()).contains("GuideLLM exited with code 3");
    assertThat(summary.path("datasets").asInt()).isZero();
    assertThat(summary.has("meanAcceptanceLength")).as("nothing was measured").isFalse();
    assertThat(r.path("pooled").path("acceptance").isNull()).isTrue();
    assertThat(Files.readString(out.resolve("guidellm_code.log"))).contains("model not found");
  }

  @Test
  void aGuidellmWithoutResultOrThatHangsIsAClearError() throws IOException {
    Path exe = fakeGuidellm(FakeGuidellm.Behaviour.NO_OUTPUT, SPEC);
    assertThat(
            eval(
                "--endpoint",
                vllm.url(),
                "--data",
                localData.toString(),
                "--output",
                tmp.resolve("o1").toString(),
                "--guidellm",
                exe.toString(),
                "--termination-log",
                tmp.resolve("t").toString()))
        .isEqualTo(1);
    assertThat(stderr())
        .contains("GuideLLM exited with 0 but wrote no result file for dataset 'code'");

    Files.delete(exe);
    exe = fakeGuidellm(FakeGuidellm.Behaviour.HANG, SPEC);
    long start = System.nanoTime();
    assertThat(
            eval(
                "--endpoint",
                vllm.url(),
                "--data",
                localData.toString(),
                "--output",
                tmp.resolve("o2").toString(),
                "--guidellm",
                exe.toString(),
                "--benchmark-timeout",
                "1",
                "--termination-log",
                tmp.resolve("t").toString()))
        .isEqualTo(1);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    assertThat(stderr())
        .contains("GuideLLM did not finish for dataset 'code' within 1 s and was stopped");

    assertThat(
            eval(
                "--endpoint",
                vllm.url(),
                "--data",
                localData.toString(),
                "--output",
                tmp.resolve("o3").toString(),
                "--guidellm",
                tmp.resolve("no-such-guidellm").toString(),
                "--termination-log",
                tmp.resolve("t").toString()))
        .isEqualTo(1);
    assertThat(stderr()).contains("cannot start GuideLLM").contains("--guidellm PATH");
  }

  @Test
  void vllmNotAnsweringIsAClearErrorNotAHang() throws IOException {
    Path exe = fakeGuidellm(FakeGuidellm.Behaviour.OK, SPEC);
    String down = "http://127.0.0.1:" + freePort();
    long start = System.nanoTime();
    int code =
        eval(
            "--endpoint",
            down,
            "--data",
            localData.toString(),
            "--output",
            tmp.resolve("o").toString(),
            "--guidellm",
            exe.toString(),
            "--startup-timeout",
            "1",
            "--termination-log",
            tmp.resolve("t").toString());
    assertThat(code).isEqualTo(1);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    assertThat(stderr())
        .contains(
            "vLLM at "
                + down
                + " did not become healthy within 1 s (GET /health: connection refused)");

    vllm.health(503);
    assertThat(
            eval(
                "--endpoint",
                vllm.url(),
                "--data",
                localData.toString(),
                "--output",
                tmp.resolve("o2").toString(),
                "--guidellm",
                exe.toString(),
                "--startup-timeout",
                "1",
                "--termination-log",
                tmp.resolve("t").toString()))
        .isEqualTo(1);
    assertThat(stderr()).contains("(GET /health: HTTP 503)");
    vllm.health(200);

    vllm.failMetricsAfterAdvance(500);
    assertThat(
            eval(
                "--endpoint",
                vllm.url(),
                "--data",
                localData.toString(),
                "--output",
                tmp.resolve("o3").toString(),
                "--guidellm",
                exe.toString(),
                "--termination-log",
                tmp.resolve("t").toString()))
        .isEqualTo(1);
    assertThat(stderr()).contains("vLLM at " + vllm.url() + " answered HTTP 500 to GET /metrics");
    assertThat(tmp.resolve("o3/guidellm_code.json"))
        .as("the benchmark that ran is kept")
        .isRegularFile();
  }

  @Test
  void aServerWithoutSpeculationIsRejectedBeforeBenchmarking() throws IOException {
    Path exe = fakeGuidellm(FakeGuidellm.Behaviour.OK, SPEC);
    int code =
        eval(
            "--endpoint",
            baseline.url(),
            "--data",
            localData.toString(),
            "--output",
            tmp.resolve("o").toString(),
            "--guidellm",
            exe.toString(),
            "--termination-log",
            tmp.resolve("t").toString());
    assertThat(code).isEqualTo(1);
    assertThat(stderr())
        .contains("exports no vllm:spec_decode_num_drafts_total counter")
        .contains("--speculative-config");
    assertThat(baseline.advances()).isZero();
  }

  @Test
  void badDatasetsFailBeforeAnyBenchmarkAndNameTheAlternatives() throws IOException {
    Path exe = fakeGuidellm(FakeGuidellm.Behaviour.OK, SPEC);
    hubServer.addFile(RepoType.DATASET, "org/bench", "sub/extra.jsonl", "{}\n");
    int code =
        eval(
            "--endpoint",
            vllm.url(),
            "--data",
            "org/bench:nope.jsonl",
            "--output",
            tmp.resolve("o").toString(),
            "--guidellm",
            exe.toString(),
            "--termination-log",
            tmp.resolve("t").toString());
    assertThat(code).isEqualTo(1);
    assertThat(stderr())
        .contains(
            "dataset 'org/bench' has no file 'nope.jsonl'; its .jsonl files: math.jsonl, sub/extra.jsonl");
    assertThat(vllm.advances()).isZero();
  }

  @Test
  void usageErrorsExitWith2() {
    assertThat(eval("--data", "x", "--output", "o")).isEqualTo(2);
    assertThat(
            eval("--endpoint", "http://h:1", "--data", "x", "--output", "o", "--profile", "warp"))
        .isEqualTo(2);
    assertThat(
            eval(
                "--endpoint",
                "http://h:1",
                "--data",
                "x",
                "--output",
                "o",
                "--profile",
                "constant"))
        .isEqualTo(2);
    assertThat(eval("--endpoint", "ftp://h", "--data", "x", "--output", "o")).isEqualTo(2);
    assertThat(
            eval(
                "--endpoint",
                "http://h:1",
                "--data",
                "x",
                "--output",
                "o",
                "--guidellm-cli",
                "0.3"))
        .isEqualTo(2);
    assertThat(eval("--endpoint", "http://h:1", "--output", "o")).isEqualTo(2);
    // what GuideLLM cannot run is a usage error, not a failure after the server started
    assertThat(eval("--endpoint", "http://h:1", "--data", "x", "--output", "o", "--rate", "2,4"))
        .isEqualTo(2);
    assertThat(stderr()).contains("--profile throughput takes at most one --rate");
    assertThat(
            eval(
                "--endpoint",
                "http://h:1",
                "--data",
                "x",
                "--output",
                "o",
                "--profile",
                "sweep",
                "--rate",
                "1"))
        .isEqualTo(2);
    assertThat(
            eval(
                "--endpoint",
                "http://h:1",
                "--data",
                "x",
                "--output",
                "o",
                "--guidellm-cli",
                "0.6"))
        .isEqualTo(2);
    assertThat(stderr())
        .contains("GuideLLM 0.6 needs --rate (max concurrency) for --profile throughput");
    assertThat(
            eval(
                "--endpoint",
                "http://h:1",
                "--data",
                "prompts.jsonl",
                "--data",
                "prompt_tokens=64,output_tokens=32",
                "--output",
                "o",
                "--text-column",
                "question"))
        .isEqualTo(2);
    assertThat(stderr())
        .contains(
            "--text-column applies to data files: --data 'prompt_tokens=64,output_tokens=32' is"
                + " synthetic text");
  }

  @Test
  void dataGuidellm073CannotLoadIsRefusedBeforeAnyBenchmark() throws IOException {
    Path exe = fakeGuidellm(FakeGuidellm.Behaviour.OK, SPEC);
    for (String[] c :
        List.of(
            new String[] {"emulated", "no named built-in datasets"},
            new String[] {
              "kind=huggingface,source=org/ds",
              "a kind=huggingface dataset needs load_kwargs.split=NAME"
            })) {
      int code =
          eval(
              "--endpoint",
              vllm.url(),
              "--data",
              localData.toString(),
              "--data",
              c[0],
              "--output",
              tmp.resolve("o").toString(),
              "--guidellm",
              exe.toString(),
              "--termination-log",
              tmp.resolve("t").toString());
      assertThat(code).isEqualTo(1);
      assertThat(stderr()).contains("eval: --data " + c[0] + ": ").contains(c[1]);
    }
    assertThat(vllm.advances()).isZero();
  }

  private static void assertCounters(
      JsonNode n, long drafts, long draftTokens, long accepted, long... perPos) {
    assertThat(n.path("drafts").asLong()).isEqualTo(drafts);
    assertThat(n.path("draftTokens").asLong()).isEqualTo(draftTokens);
    assertThat(n.path("acceptedTokens").asLong()).isEqualTo(accepted);
    List<Long> pos = new ArrayList<>();
    n.path("acceptedPerPosition").forEach(v -> pos.add(v.asLong()));
    assertThat(pos).containsExactlyElementsOf(java.util.Arrays.stream(perPos).boxed().toList());
  }

  private static void assertAcceptance(
      JsonNode n,
      long drafts,
      long draftTokens,
      long accepted,
      double length,
      double rate,
      double[] perPos,
      double[] cond) {
    assertThat(n.path("drafts").asLong()).isEqualTo(drafts);
    assertThat(n.path("draftTokens").asLong()).isEqualTo(draftTokens);
    assertThat(n.path("acceptedTokens").asLong()).isEqualTo(accepted);
    assertThat(n.path("meanAcceptanceLength").asDouble()).isCloseTo(length, within(1e-12));
    assertThat(n.path("acceptanceRate").asDouble()).isCloseTo(rate, within(1e-12));
    assertThat(n.path("noDrafts").asBoolean()).isFalse();
    for (int i = 0; i < perPos.length; i++) {
      assertThat(n.path("perPositionAcceptance").get(i).asDouble())
          .isCloseTo(perPos[i], within(1e-12));
      assertThat(n.path("conditionalAcceptance").get(i).asDouble())
          .isCloseTo(cond[i], within(1e-12));
    }
    assertThat(n.path("perPositionAcceptance")).hasSize(perPos.length);
  }

  private static int freePort() throws IOException {
    try (var s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
