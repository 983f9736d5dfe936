package dev.speculators.io;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs the Python reference readers ({@code src/test/python/io_describe.py}) on files our writers
 * produced. Python is found via {@code SPECULATORS_PYTHON} or {@code python3} on the PATH; tests
 * that need a Python module are skipped (JUnit assumption) when it cannot be imported.
 */
public final class PythonSupport {
  private static final Map<String, Boolean> AVAILABLE = new ConcurrentHashMap<>();
  private static final Path DESCRIBE = Path.of("src", "test", "python", "io_describe.py");

  private PythonSupport() {}

  static String python() {
    String env = System.getenv("SPECULATORS_PYTHON");
    return env == null || env.isBlank() ? "python3" : env;
  }

  /** Skips the calling test unless Python can import every one of {@code modules}. */
  public static void assumeModules(String... modules) {
    for (String m : modules) {
      assumeTrue(
          AVAILABLE.computeIfAbsent(m, PythonSupport::canImport),
          "Python module '" + m + "' is not available to " + python());
    }
  }

  private static boolean canImport(String module) {
    try {
      Result r = run(List.of(python(), "-c", "import " + module), 120);
      return r.exitCode == 0;
    } catch (IOException e) {
      return false;
    }
  }

  /** The reference description of {@code path} read with torch / safetensors / numpy. */
  public static JsonNode describeFile(String kind, Path path) throws IOException {
    return describeFiles(kind, List.of(path)).get(0);
  }

  /** Reference descriptions of several files, read by one Python process. */
  public static List<JsonNode> describeFiles(String kind, List<Path> paths) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(python(), DESCRIBE.toString(), kind));
    paths.forEach(p -> cmd.add(p.toString()));
    Result r = run(cmd, 300);
    if (r.exitCode != 0) {
      throw new AssertionError("Python could not read " + paths + ":\n" + r.output);
    }
    List<JsonNode> out = new ArrayList<>();
    for (String line : r.stdout.split("\n")) {
      if (!line.isBlank()) {
        out.add(Describe.JSON.readTree(line));
      }
    }
    return out;
  }

  /** Runs a Python snippet with {@code args}; fails the test with its output if it fails. */
  public static String runSnippet(String code, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(python(), "-c", code));
    cmd.addAll(List.of(args));
    Result r = run(cmd, 300);
    if (r.exitCode != 0) {
      throw new AssertionError("Python failed:\n" + r.output);
    }
    return r.stdout;
  }

  private record Result(int exitCode, String stdout, String output) {}

  private static Result run(List<String> cmd, int timeoutSeconds) throws IOException {
    Path out = Files.createTempFile("py-out", ".txt");
    Path err = Files.createTempFile("py-err", ".txt");
    try {
      Process p =
          new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      try {
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new IOException("Python timed out: " + cmd);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      String stdout = Files.readString(out, StandardCharsets.UTF_8);
      String stderr = Files.readString(err, StandardCharsets.UTF_8);
      return new Result(p.exitValue(), stdout, stdout + stderr);
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
