package dev.speculators.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speculators.io.AtomicFiles;
import dev.speculators.train.TrainerJvm;
import dev.speculators.train.bench.BenchShape;
import dev.speculators.train.bench.SyntheticDataset;
import dev.speculators.train.bench.TrainBenchmark;
import dev.speculators.train.model.Precision;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Benchmarks the trainer: tokens/s and peak memory of {@code train} itself, per precision (and
 * attention path), each run in a fresh JVM with the trainer image's JVM options, on a generated
 * dataset; with {@code --python}, the same training step in plain PyTorch on the same files, run in
 * the same invocation, for ratios measured under the same conditions.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Benchmark train: tokens/s and peak memory per precision, optionally against plain PyTorch.",
      "Writes a random dataset in the upstream v0.4 layout and a verifier, then runs train for"
          + " --warmup + --steps optimizer steps in a fresh JVM (the trainer image's JVM options)"
          + " per precision and attention path; with --python, also the same step in plain"
          + " PyTorch on the same files (interleaved). Prints tokens/s, s/step, peak RSS and the"
          + " ratios."
    })
public final class BenchCommand implements Callable<Integer> {
  static final String BASELINE = "/dev/speculators/train/bench/plain_pytorch_train.py";

  @Option(names = "--hidden", defaultValue = "1024", description = "default: ${DEFAULT-VALUE}")
  int hidden;

  @Option(names = "--heads", defaultValue = "8", description = "default: ${DEFAULT-VALUE}")
  int heads;

  @Option(names = "--kv-heads", defaultValue = "8", description = "default: ${DEFAULT-VALUE}")
  int kvHeads;

  @Option(
      names = "--intermediate",
      defaultValue = "2816",
      description = "default: ${DEFAULT-VALUE}")
  int intermediate;

  @Option(names = "--vocab", defaultValue = "32000", description = "default: ${DEFAULT-VALUE}")
  int vocab;

  @Option(names = "--draft-vocab", defaultValue = "8192", description = "default: ${DEFAULT-VALUE}")
  int draftVocab;

  @Option(names = "--samples", defaultValue = "96", description = "default: ${DEFAULT-VALUE}")
  int samples;

  @Option(
      names = "--sample-len",
      defaultValue = "1024",
      description = "tokens per sample, default: ${DEFAULT-VALUE}")
  int sampleLength;

  @Option(
      names = "--seq-len",
      defaultValue = "2048",
      description = "tokens per packed row, default: ${DEFAULT-VALUE}")
  int seqLen;

  @Option(names = "--ttt-steps", defaultValue = "3", description = "default: ${DEFAULT-VALUE}")
  int tttSteps;

  @Option(
      names = "--warmup",
      defaultValue = "1",
      description = "untimed steps first, default: ${DEFAULT-VALUE}")
  int warmup;

  @Option(
      names = "--steps",
      defaultValue = "3",
      description = "timed steps, default: ${DEFAULT-VALUE}")
  int steps;

  @Option(
      names = "--precision",
      defaultValue = "fp32,bf16",
      split = ",",
      description = "precisions to run, default: ${DEFAULT-VALUE}")
  List<String> precisions;

  @Option(
      names = "--attention",
      defaultValue = "fused",
      description = "fused (default), dense (the reference path) or both")
  String attention;

  @Option(
      names = "--python",
      description =
          "a Python with torch: also run the plain-PyTorch baseline (same data, same step)")
  String python;

  @Option(
      names = "--threads",
      defaultValue = "0",
      description = "intra-op threads for every run (0: libtorch's default)")
  int threads;

  @Option(
      names = "--work",
      description = "where the dataset and runs go (default: a temporary directory, deleted)")
  Path work;

  @Option(names = "--child", hidden = true)
  String child;

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public Integer call() throws Exception {
    BenchShape shape =
        new BenchShape(
            hidden,
            heads,
            kvHeads,
            intermediate,
            vocab,
            draftVocab,
            samples,
            sampleLength,
            seqLen,
            tttSteps);
    if (child != null) {
      String[] what = child.split(",");
      TrainBenchmark.Result r =
          TrainBenchmark.run(
              work,
              work.resolve("runs").resolve(what[0] + "-" + what[1]),
              shape,
              Precision.of(what[0]),
              what[1].equals("dense"),
              warmup,
              steps,
              "java " + what[0] + " " + what[1]);
      System.out.println("RESULT " + JSON.writeValueAsString(r));
      return 0;
    }
    List<Precision> runs = precisions.stream().map(Precision::of).toList();
    List<String> paths = attention.equals("both") ? List.of("fused", "dense") : List.of(attention);
    if (!List.of("fused", "dense", "both").contains(attention)) {
      throw new IllegalArgumentException("--attention must be fused, dense or both");
    }
    Path root = work != null ? work : Files.createTempDirectory("speculators-bench");
    try {
      System.out.printf(
          Locale.ROOT,
          "train benchmark: H=%d heads=%d/%d I=%d V=%d Vd=%d, %d samples x %d tokens (4 layers),"
              + " T=%d, TTT=%d, %d warmup + %d timed steps, threads %s, JVM %s%n",
          hidden,
          heads,
          kvHeads,
          intermediate,
          vocab,
          draftVocab,
          samples,
          sampleLength,
          seqLen,
          tttSteps,
          warmup,
          steps,
          threads > 0 ? Integer.toString(threads) : "default",
          String.join(" ", TrainerJvm.OPTIONS));
      if (!Files.isDirectory(root.resolve("dataset"))) {
        SyntheticDataset.write(root, shape, 1);
      }
      Path script = python == null ? null : extractBaseline(root);
      Map<String, JsonNode> results = new LinkedHashMap<>();
      for (Precision p : runs) {
        for (String path : paths) {
          JsonNode r = java(root, p, path);
          if (r == null) {
            return 1;
          }
          results.put("java " + p.flag() + " " + path, r);
          print(r);
        }
        if (script != null) {
          JsonNode r = pytorch(root, script, p);
          if (r == null) {
            return 1;
          }
          results.put("pytorch " + p.flag(), r);
          print(r);
        }
      }
      ratios(results, runs, paths);
      return 0;
    } finally {
      if (work == null) {
        AtomicFiles.deleteRecursively(root);
      }
    }
  }

  private JsonNode java(Path root, Precision p, String path) throws IOException {
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(javaBin));
    cmd.addAll(TrainerJvm.OPTIONS);
    if (threads > 0) {
      cmd.add("-Dai.djl.pytorch.num_threads=" + threads);
    }
    String classPath = System.getProperty("java.class.path");
    if (classPath.endsWith("quarkus-run.jar") && !classPath.contains(java.io.File.pathSeparator)) {
      // the packaged application: started exactly as the trainer image starts it
      cmd.addAll(List.of("-jar", classPath));
    } else {
      cmd.addAll(List.of("-cp", classPath, Main.class.getName()));
    }
    cmd.addAll(List.of("bench", "--child", p.flag() + "," + path, "--work", root.toString()));
    cmd.addAll(shapeArgs());
    return runForResult(cmd, "java " + p.flag() + " " + path);
  }

  private JsonNode pytorch(Path root, Path script, Precision p) throws IOException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                python,
                script.toString(),
                "--data",
                root.resolve("dataset").toString(),
                "--verifier",
                root.resolve("verifier").toString(),
                "--seq-len",
                "" + seqLen,
                "--ttt-steps",
                "" + tttSteps,
                "--draft-vocab",
                "" + draftVocab,
                "--warmup",
                "" + warmup,
                "--steps",
                "" + steps,
                "--threads",
                "" + threads,
                "--precision",
                p.flag(),
                "--label",
                "pytorch " + p.flag()));
    return runForResult(cmd, "pytorch " + p.flag());
  }

  private List<String> shapeArgs() {
    return List.of(
        "--hidden", "" + hidden,
        "--heads", "" + heads,
        "--kv-heads", "" + kvHeads,
        "--intermediate", "" + intermediate,
        "--vocab", "" + vocab,
        "--draft-vocab", "" + draftVocab,
        "--samples", "" + samples,
        "--sample-len", "" + sampleLength,
        "--seq-len", "" + seqLen,
        "--ttt-steps", "" + tttSteps,
        "--warmup", "" + warmup,
        "--steps", "" + steps);
  }

  /** Runs a benchmark process; its {@code RESULT {json}} line, or null (with its output). */
  private static JsonNode runForResult(List<String> cmd, String what) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putIfAbsent("DJL_OFFLINE", "true");
    pb.environment().putIfAbsent("OPT_OUT_TRACKING", "true");
    Process p = pb.start();
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
    try {
      if (p.waitFor() != 0 || result == null) {
        System.err.println(what + ": benchmark process failed (exit " + p.exitValue() + ")");
        output.stream().skip(Math.max(0, output.size() - 30)).forEach(System.err::println);
        return null;
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    return result;
  }

  private static void print(JsonNode r) {
    JsonNode m = r.path("memory");
    System.out.printf(
        Locale.ROOT,
        "%-18s %8.1f tokens/s %8.2f s/step  peak RSS %6.0f MiB  loss %.4f   at the end: anon %.0f,"
            + " file %.0f, heap %.0f/%.0f, direct %.0f MiB%n",
        r.path("label").asText(),
        r.path("tokensPerSecond").asDouble(),
        r.path("secondsPerStep").asDouble(),
        mib(r.path("peakRssBytes")),
        r.path("loss").asDouble(),
        mib(m.path("rssAnon")),
        mib(m.path("rssFile")),
        mib(m.path("heapUsed")),
        mib(m.path("heapCommitted")),
        mib(m.path("direct")));
  }

  private static void ratios(
      Map<String, JsonNode> results, List<Precision> precisions, List<String> paths) {
    for (Precision p : precisions) {
      for (String path : paths) {
        ratio(results, "java " + p.flag() + " " + path, "pytorch " + p.flag());
      }
      if (paths.size() == 2) {
        ratio(results, "java " + p.flag() + " fused", "java " + p.flag() + " dense");
      }
    }
    if (precisions.contains(Precision.FP32) && precisions.contains(Precision.BF16)) {
      for (String path : paths) {
        ratio(results, "java bf16 " + path, "java fp32 " + path);
      }
      ratio(results, "pytorch bf16", "pytorch fp32");
    }
  }

  private static void ratio(Map<String, JsonNode> results, String a, String b) {
    JsonNode x = results.get(a);
    JsonNode y = results.get(b);
    if (x == null || y == null) {
      return;
    }
    System.out.printf(
        Locale.ROOT,
        "%s / %s: tokens/s x%.2f, peak RSS x%.2f%n",
        a,
        b,
        x.path("tokensPerSecond").asDouble() / y.path("tokensPerSecond").asDouble(),
        x.path("peakRssBytes").asDouble() / y.path("peakRssBytes").asDouble());
  }

  private static double mib(JsonNode bytes) {
    return bytes.asDouble() / (1 << 20);
  }

  private static Path extractBaseline(Path root) throws IOException {
    Path script = root.resolve("plain_pytorch_train.py");
    try (InputStream in = BenchCommand.class.getResourceAsStream(BASELINE)) {
      if (in == null) {
        throw new IllegalStateException("missing " + BASELINE + " in the application jar");
      }
      Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    return script;
  }
}
