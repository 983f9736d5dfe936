package dev.speculators.eval;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs GuideLLM as a child process: its output lines go to the log as they come and to a log file;
 * it must end within a time limit (else it is killed with its children), exit with 0 and leave a
 * readable result file. The result and the log appear under their final names only when complete.
 */
public final class GuidellmRunner {
  private static final int TAIL_LINES = 20;

  private final String executable;
  private final Duration timeout;
  private final Consumer<String> log;

  public GuidellmRunner(String executable, Duration timeout, Consumer<String> log) {
    this.executable = executable;
    this.timeout = timeout;
    this.log = log;
  }

  /**
   * Runs GuideLLM with {@code arguments} (whose output option names {@code partialOutput}), then
   * moves the result to {@code output} and the log to {@code logFile}.
   */
  public GuidellmResult run(
      List<String> arguments, Path partialOutput, Path output, Path logFile, String what)
      throws EvalException {
    List<String> command = new ArrayList<>();
    command.add(executable);
    command.addAll(arguments);
    Path partialLog = logFile.resolveSibling(logFile.getFileName() + ".partial");
    try {
      Files.deleteIfExists(partialOutput);
      Files.createDirectories(logFile.toAbsolutePath().getParent());
    } catch (IOException e) {
      throw new EvalException(
          "cannot prepare the output folder for " + what + ": " + e.getMessage(), e);
    }
    log.accept("running " + String.join(" ", command));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("PYTHONUNBUFFERED", "1");
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new EvalException(
          "cannot start GuideLLM '"
              + executable
              + "' ("
              + e.getMessage()
              + "); install it or pass --guidellm PATH",
          e);
    }
    Thread killOnExit = new Thread(() -> destroyTree(process), "guidellm-kill-on-exit");
    Runtime.getRuntime().addShutdownHook(killOnExit);
    Deque<String> tail = new ArrayDeque<>();
    Thread pump = new Thread(() -> pump(process, partialLog, tail), "guidellm-output");
    pump.setDaemon(true);
    pump.start();
    int exit;
    try {
      if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        destroyTree(process);
        throw new EvalException(
            "GuideLLM did not finish "
                + what
                + " within "
                + timeout.toSeconds()
                + " s and was stopped"
                + " (raise --benchmark-timeout, or lower --max-requests / --max-seconds); log: "
                + logFile);
      }
      exit = process.exitValue();
      pump.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      destroyTree(process);
      Thread.currentThread().interrupt();
      throw new EvalException("interrupted while GuideLLM was running " + what, e);
    } finally {
      removeHook(killOnExit);
      publishLog(partialLog, logFile);
    }
    if (exit != 0) {
      throw new EvalException(
          "GuideLLM exited with code "
              + exit
              + " "
              + what
              + "; last output:\n  "
              + String.join("\n  ", snapshot(tail))
              + hint(snapshot(tail))
              + "\nfull log: "
              + logFile);
    }
    if (!Files.isRegularFile(partialOutput)) {
      throw new EvalException(
          "GuideLLM exited with 0 but wrote no result file "
              + what
              + " (expected "
              + partialOutput
              + ")");
    }
    GuidellmResult result;
    try {
      result = GuidellmResult.read(partialOutput);
      Files.move(
          partialOutput,
          output,
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (MalformedInputException e) {
      throw new EvalException(
          "GuideLLM wrote an unreadable result " + what + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new EvalException("cannot keep the GuideLLM result " + what + ": " + e.getMessage(), e);
    }
    return result;
  }

  private void pump(Process process, Path partialLog, Deque<String> tail) {
    try (BufferedReader in =
            new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        BufferedWriter out = Files.newBufferedWriter(partialLog, StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        out.write(line);
        out.newLine();
        out.flush();
        log.accept("[guidellm] " + line);
        synchronized (tail) {
          tail.addLast(line);
          if (tail.size() > TAIL_LINES) {
            tail.removeFirst();
          }
        }
      }
    } catch (IOException e) {
      log.accept("lost GuideLLM output: " + e.getMessage());
    }
  }

  /** The option to change for GuideLLM failures whose cause is known, or "". */
  static String hint(List<String> tail) {
    String text = String.join("\n", tail);
    if (text.contains("GenerativeColumnMapper found no matching columns")) {
      return "\nhint: GuideLLM found no prompt column in the data; name it with --text-column";
    }
    if (text.contains("'DatasetDict' object has no attribute")) {
      return "\nhint: the data has several splits; name one with load_kwargs.split=NAME";
    }
    return "";
  }

  private static List<String> snapshot(Deque<String> tail) {
    synchronized (tail) {
      return tail.isEmpty() ? List.of("(no output)") : List.copyOf(tail);
    }
  }

  private static void publishLog(Path partialLog, Path logFile) {
    try {
      if (Files.exists(partialLog)) {
        Files.move(
            partialLog,
            logFile,
            StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException e) {
      // the partial log stays where it is, under its .partial name
    }
  }

  private static void destroyTree(Process process) {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down and the hook will run
    }
  }
}
