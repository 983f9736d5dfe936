package dev.speculators.datagen;

import dev.speculators.datagen.chat.ChatRowBuilder;
import dev.speculators.datagen.chat.Conversation;
import dev.speculators.datagen.chat.TemplateTokenizerRenderer;
import dev.speculators.datagen.chat.TokenRow;
import dev.speculators.datagen.source.DataSpec;
import dev.speculators.datagen.source.Source;
import dev.speculators.datagen.source.SourceResolver;
import dev.speculators.datagen.vllm.VllmClient;
import dev.speculators.datagen.vllm.VllmHiddenStateSource;
import dev.speculators.datagen.vllm.VllmTokenizeRenderer;
import dev.speculators.io.AtomicFiles;
import dev.speculators.io.HostTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The datagen worker's own cost per sample, against {@link FakeVllmServer} answering at once.
 *
 * <p>Three measurements over the same rows, in the same run:
 *
 * <ol>
 *   <li><b>transport</b> (baseline): only the prefill request and the staging-file handshake — HTTP
 *       to the server, the server writing {@code [S, L, H]} bf16, waiting for its lock, reading,
 *       checking and deleting the file — with the worker's concurrency;
 *   <li><b>transport + write</b>: the same plus writing {@code data_<i>.pt};
 *   <li><b>render</b>: building every row's tokens and mask through {@code /tokenize} (two
 *       renderings per row: the prompt and the turn);
 *   <li><b>worker</b>: the whole {@code datagen} command (start-up: model, render probe, planning;
 *       then per row: rendering, prefill, validation, sample files, statistics; shard marker,
 *       merge). Its row phase is timed from the log line that starts the rows.
 * </ol>
 *
 * The worker's own overhead per sample is its row phase minus (2) and (3). Run:
 *
 * <pre>
 * mvn -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) dev.speculators.datagen.DatagenBenchmark [rows] [hidden] [concurrency] [answerWords]
 * </pre>
 */
public final class DatagenBenchmark {
  private static final int LAYERS = 4;

  private DatagenBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int hidden = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    int words = args.length > 3 ? Integer.parseInt(args[3]) : 60;
    Path tmp = Files.createTempDirectory("datagen-bench");
    try {
      run(tmp, Math.max(8, rows / 10), hidden, concurrency, words, false);
      run(tmp, rows, hidden, concurrency, words, true);
    } finally {
      AtomicFiles.deleteRecursively(tmp);
    }
    System.exit(0); // HTTP client threads of the worker may linger
  }

  private static void run(
      Path root, int rows, int hidden, int concurrency, int words, boolean report)
      throws Exception {
    Path tmp = Files.createTempDirectory(root, "run");
    Path model = DatagenTestSupport.modelDir(tmp.resolve("model"), "llama3_1", 32, hidden);
    Path data = tmp.resolve("chats.jsonl");
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < rows; k++) {
      StringBuilder answer = new StringBuilder();
      for (int w = 0; w < words; w++) {
        answer.append("word").append((k * 31 + w) % 997).append(' ');
      }
      sb.append("{\"messages\": [{\"role\": \"user\", \"content\": \"Question ")
          .append(k)
          .append("?\"}, {\"role\": \"assistant\", \"content\": \"")
          .append(answer.toString().trim())
          .append("\"}]}\n");
    }
    Files.writeString(data, sb.toString());
    Path staging = tmp.resolve("hs");
    try (FakeVllmServer vllm =
        new FakeVllmServer(model, staging, staging.toString(), LAYERS, hidden)) {
      vllm.holdMillis = 0;
      int[] layerIds = {2, 16, 29, 32};

      // the rows exactly as the worker plans them
      List<TokenRow> tokenRows = new ArrayList<>();
      Map<Integer, Conversation> convs;
      try (TemplateTokenizerRenderer renderer = TemplateTokenizerRenderer.open(model, Map.of())) {
        Source source = new SourceResolver(null).resolve(DataSpec.parse(data.toString()));
        SamplePlanner planner = new SamplePlanner(List.of(source), 0, null, false, true, s -> {});
        SamplePlan plan = planner.plan();
        convs = new java.util.TreeMap<>(planner.conversations(plan, 0, plan.positions()));
        ChatRowBuilder builder = new ChatRowBuilder(renderer, 4096);
        for (int p = 0; p < plan.positions(); p++) {
          tokenRows.add(builder.row(convs.get(p), 0, true));
        }
      }
      long tokens = tokenRows.stream().mapToLong(TokenRow::length).sum();

      VllmClient client = new VllmClient(vllm.endpoint(), Duration.ofSeconds(60));
      VllmHiddenStateSource source =
          new VllmHiddenStateSource(client, FakeVllmServer.MODEL, staging, 60_000);
      double transport =
          timed(tokenRows, concurrency, (i, r) -> source.prefill(r.inputIds(), layerIds));
      Path direct = tmp.resolve("direct");
      Files.createDirectories(direct);
      double transportWrite =
          timed(
              tokenRows,
              concurrency,
              (i, r) -> {
                List<HostTensor> layers = source.prefill(r.inputIds(), layerIds);
                SampleStore.write(direct.resolve("data_" + i + ".pt"), r, layers);
              });

      VllmTokenizeRenderer tokenize =
          new VllmTokenizeRenderer(client, FakeVllmServer.MODEL, Map.of());
      List<Conversation> conversations = new ArrayList<>(convs.values());
      double render =
          timed(
              tokenRows,
              concurrency,
              (i, r) -> {
                ChatRowBuilder b = new ChatRowBuilder(tokenize, 4096);
                b.row(conversations.get(i), 0, true);
              });

      long t0 = System.nanoTime();
      long[] rowsStarted = {0};
      List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
      Path terminationLog = tmp.resolve("termination-log");
      int code =
          new picocli.CommandLine(
                  new dev.speculators.cli.DatagenCommand(
                      line -> {
                        if (line.contains(": rows [")) {
                          rowsStarted[0] = System.nanoTime();
                        }
                        log.add(line);
                      },
                      new DatagenWorker.Dependencies(null, null, null)))
              .execute(
                  "--endpoint",
                  vllm.endpoint(),
                  "--model",
                  model.toString(),
                  "--data",
                  data.toString(),
                  "--output",
                  tmp.resolve("out").toString(),
                  "--seq-length",
                  "4096",
                  "--layer-ids",
                  "2,16,29,32",
                  "--concurrency",
                  Integer.toString(concurrency),
                  "--hidden-states-dir",
                  staging.toString(),
                  "--progress-interval",
                  "3600",
                  "--termination-log",
                  terminationLog.toString());
      double worker = (System.nanoTime() - t0) / 1e9;
      double startup = (rowsStarted[0] - t0) / 1e9;
      long samples =
          DatagenTestSupport.JSON.readTree(terminationLog.toFile()).path("samples").asLong();
      if (code != 0 || samples != rows) {
        throw new IllegalStateException("benchmark run failed:\n" + String.join("\n", log));
      }
      if (report) {
        double perRow = 1000.0 / rows;
        System.out.printf(
            Locale.ROOT,
            "datagen benchmark: %d rows, %.0f tokens/row, %d layers x hidden %d (%.1f MB/sample), concurrency %d%n",
            rows,
            (double) tokens / rows,
            LAYERS,
            hidden,
            tokens * (double) LAYERS * hidden * 2 / rows / 1e6,
            concurrency);
        System.out.printf(
            Locale.ROOT,
            "  transport (baseline)      %8.2f ms/sample  %8.1f samples/s%n",
            transport * perRow,
            rows / transport);
        System.out.printf(
            Locale.ROOT,
            "  transport + write .pt     %8.2f ms/sample  %8.1f samples/s%n",
            transportWrite * perRow,
            rows / transportWrite);
        System.out.printf(
            Locale.ROOT,
            "  render rows via /tokenize %8.2f ms/sample  %8.1f samples/s%n",
            render * perRow,
            rows / render);
        System.out.printf(
            Locale.ROOT,
            "  datagen worker (all)      %8.2f ms/sample  %8.1f samples/s  (of which start-up: model, render probe, plan: %.2f s)%n",
            worker * perRow,
            rows / worker,
            startup);
        double rowPhase = worker - startup;
        System.out.printf(
            Locale.ROOT, "  worker row phase          %8.2f ms/sample%n", rowPhase * perRow);
        System.out.printf(
            Locale.ROOT,
            "  ratios: worker row phase / transport = %.2fx, / (transport + write) = %.2fx, / (transport + write + render) = %.2fx%n",
            rowPhase / transport,
            rowPhase / transportWrite,
            rowPhase / (transportWrite + render));
        System.out.printf(
            Locale.ROOT,
            "  worker's own overhead per sample beyond transport, write and rendering: %.2f ms%n",
            (rowPhase - transportWrite - render) * perRow);
      }
    }
  }

  private interface RowTask {
    void run(int index, TokenRow row) throws Exception;
  }

  /** Seconds to run {@code task} over all rows with {@code concurrency} threads. */
  private static double timed(List<TokenRow> rows, int concurrency, RowTask task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    long t0 = System.nanoTime();
    List<Future<?>> futures = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      final int index = i;
      futures.add(
          pool.submit(
              () -> {
                task.run(index, rows.get(index));
                return null;
              }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    double s = (System.nanoTime() - t0) / 1e9;
    pool.shutdown();
    return s;
  }
}
