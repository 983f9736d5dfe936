package dev.speculators.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speculators.train.bench.TrainStepBenchmark;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Compares the production attention path (fused kernel + closed-form merge) with the dense-mask
 * reference path on full training steps: tokens/s and peak memory, each path in its own JVM.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Benchmark training steps of the fused attention path against the dense reference path.",
      "Times TTT forward + backward + AdamW of a randomly initialised draft for each path in a",
      "fresh process and prints tokens/s, peak RSS and the fused/dense ratios."
    })
public final class BenchCommand implements Callable<Integer> {
  @Option(names = "--hidden", defaultValue = "1024")
  int hidden;

  @Option(names = "--heads", defaultValue = "8")
  int heads;

  @Option(names = "--kv-heads", defaultValue = "8")
  int kvHeads;

  @Option(names = "--intermediate", defaultValue = "2816")
  int intermediate;

  @Option(names = "--vocab", defaultValue = "32000")
  int vocab;

  @Option(names = "--draft-vocab", defaultValue = "8192")
  int draftVocab;

  @Option(names = "--seq-len", defaultValue = "2048")
  int seqLen;

  @Option(names = "--ttt-steps", defaultValue = "3")
  int tttSteps;

  @Option(names = "--documents", defaultValue = "4", description = "documents packed in the row")
  int documents;

  @Option(names = "--warmup", defaultValue = "1")
  int warmup;

  @Option(names = "--steps", defaultValue = "3")
  int steps;

  @Option(
      names = "--attention",
      defaultValue = "both",
      description = "fused, dense or both (default)")
  String attention;

  @Option(names = "--child", hidden = true)
  boolean child;

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public Integer call() throws Exception {
    TrainStepBenchmark.Shape4 shape =
        new TrainStepBenchmark.Shape4(
            hidden, heads, kvHeads, intermediate, vocab, draftVocab, seqLen, tttSteps, documents);
    if (child) {
      TrainStepBenchmark.Result r =
          TrainStepBenchmark.run(shape, attention.equals("dense"), warmup, steps);
      System.out.println("RESULT " + JSON.writeValueAsString(r));
      return 0;
    }
    List<String> paths = attention.equals("both") ? List.of("fused", "dense") : List.of(attention);
    System.out.printf(
        Locale.ROOT,
        "train-step benchmark: H=%d heads=%d/%d I=%d V=%d Vd=%d T=%d TTT=%d docs=%d,"
            + " %d warmup + %d timed steps%n",
        hidden,
        heads,
        kvHeads,
        intermediate,
        vocab,
        draftVocab,
        seqLen,
        tttSteps,
        documents,
        warmup,
        steps);
    List<JsonNode> results = new ArrayList<>();
    for (String path : paths) {
      JsonNode r = runChild(path);
      if (r == null) {
        System.err.println(path + ": benchmark process failed");
        return 1;
      }
      results.add(r);
      System.out.printf(
          Locale.ROOT,
          "%-6s %9.0f tokens/s  %7.3f s/step  peak RSS %7.0f MiB  loss %.3f%n",
          path,
          r.get("tokensPerSecond").asDouble(),
          r.get("secondsPerStep").asDouble(),
          r.get("peakRssBytes").asDouble() / (1 << 20),
          r.get("loss").asDouble());
    }
    if (results.size() == 2) {
      System.out.printf(
          Locale.ROOT,
          "fused/dense: speed ×%.2f, peak memory ×%.2f%n",
          results.get(0).get("tokensPerSecond").asDouble()
              / results.get(1).get("tokensPerSecond").asDouble(),
          results.get(0).get("peakRssBytes").asDouble()
              / results.get(1).get("peakRssBytes").asDouble());
    }
    return 0;
  }

  private JsonNode runChild(String path) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "bench",
                "--child",
                "--attention",
                path,
                "--hidden",
                "" + hidden,
                "--heads",
                "" + heads,
                "--kv-heads",
                "" + kvHeads,
                "--intermediate",
                "" + intermediate,
                "--vocab",
                "" + vocab,
                "--draft-vocab",
                "" + draftVocab,
                "--seq-len",
                "" + seqLen,
                "--ttt-steps",
                "" + tttSteps,
                "--documents",
                "" + documents,
                "--warmup",
                "" + warmup,
                "--steps",
                "" + steps));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    JsonNode result = null;
    List<String> output = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("RESULT ")) {
          result = JSON.readTree(line.substring(7));
        } else {
          output.add(line);
        }
      }
    }
    if (p.waitFor() != 0 || result == null) {
      output.stream().skip(Math.max(0, output.size() - 20)).forEach(System.err::println);
      return null;
    }
    return result;
  }
}
