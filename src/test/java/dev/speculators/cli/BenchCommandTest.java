package dev.speculators.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * bench runs train per precision in fresh JVMs on a generated dataset and, given a Python with
 * torch, the plain-PyTorch baseline on the same files, and prints both side by side with ratios.
 */
class BenchCommandTest {

  @Test
  void benchmarksBothPrecisionsAndThePytorchBaselineWhenTorchIsThere(@TempDir Path tmp)
      throws Exception {
    String python = pythonWithTorch();
    List<String> args =
        new ArrayList<>(
            List.of(
                "--hidden",
                "64",
                "--heads",
                "4",
                "--kv-heads",
                "2",
                "--intermediate",
                "128",
                "--vocab",
                "512",
                "--draft-vocab",
                "128",
                "--samples",
                "6",
                "--sample-len",
                "64",
                "--seq-len",
                "128",
                "--warmup",
                "1",
                "--steps",
                "1",
                "--threads",
                "1",
                "--work",
                tmp.toString()));
    if (python != null) {
      args.addAll(List.of("--python", python));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      code = new CommandLine(new BenchCommand()).execute(args.toArray(String[]::new));
    } finally {
      System.setOut(old);
    }
    String text = out.toString(StandardCharsets.UTF_8);
    System.out.print(text);
    assertThat(code).as(text).isZero();
    assertThat(text)
        .containsPattern(
            "(?m)^java fp32 fused +[0-9.]+ tokens/s +[0-9.]+ s/step +peak RSS +[0-9]+ MiB")
        .containsPattern("(?m)^java bf16 fused +[0-9.]+ tokens/s")
        .contains("java bf16 fused / java fp32 fused: tokens/s x");
    if (python != null) {
      assertThat(text)
          .containsPattern("(?m)^pytorch fp32 +[0-9.]+ tokens/s")
          .containsPattern("(?m)^pytorch bf16 +[0-9.]+ tokens/s")
          .contains("java fp32 fused / pytorch fp32: tokens/s x")
          .contains("java bf16 fused / pytorch bf16: tokens/s x");
    }
    assertThat(tmp.resolve("dataset/data/data_5.pt")).isRegularFile();
    assertThat(tmp.resolve("runs/bf16-fused/final/model.safetensors")).isRegularFile();
  }

  /** SPECULATORS_PYTHON or python3, when it can import torch; else null. */
  static String pythonWithTorch() {
    String env = System.getenv("SPECULATORS_PYTHON");
    String python = env == null || env.isBlank() ? "python3" : env;
    try {
      Process p =
          new ProcessBuilder(python, "-c", "import torch").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0 ? python : null;
    } catch (Exception e) {
      return null;
    }
  }
}
