package dev.speculators.cli;

import dev.speculators.engine.EngineThreads;
import dev.speculators.io.AtomicFiles;
import dev.speculators.io.hub.HfHub;
import dev.speculators.local.InvalidResourcesException;
import dev.speculators.local.LocalPlan;
import dev.speculators.local.LocalRunException;
import dev.speculators.local.LocalRunner;
import dev.speculators.local.LocalVolumes;
import dev.speculators.local.RunReport;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code run -f FILE}: the resources of a file, end to end, in process on the CPU. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Run HiddenStateDataset, SpeculatorTraining and SpeculatorEval resources from a YAML file locally, in"
          + " process on the CPU with the reference engine (every resource must say engine: reference): generate the"
          + " dataset, train the speculator, and measure its acceptance next to an untrained draft of the same shape.",
      "Resources are validated against the CRDs exactly like admission does (defaults applied) and run in file order;"
          + " a training's dataset template runs first as <training>-dataset, its evaluation after it as"
          + " <training>-eval. Outputs use the volume layout: <output>/<name>/ for a resource's own storage,"
          + " <output>/volumes/<claimName>/... for claims; paths without a claim are relative to the file.",
      "Prints progress bars and a report, and writes <output>/report.json and <output>/run.log. A rerun resumes:"
          + " finished samples and checkpoints are kept. Exit codes: 0 ok, 1 failure, 2 invalid resources,"
          + " 3 an acceptance gate was not met."
    })
public final class RunCommand implements Callable<Integer> {
  public static final String REPORT = "report.json";
  public static final String LOG = "run.log";

  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "FILE",
      description = "YAML file with the resources")
  Path file;

  @Option(
      names = {"-o", "--output"},
      defaultValue = "speculators-output",
      paramLabel = "DIR",
      description = "Output directory (default: ./${DEFAULT-VALUE})")
  Path output;

  @Option(
      names = {"-v", "--verbose"},
      description = "Also print the workers' log lines (always in <output>/run.log)")
  boolean verbose;

  private final PrintStream out;
  private final PrintStream err;
  private final Supplier<HfHub> hub;
  private final boolean interactive;

  public RunCommand() {
    this(
        System.out,
        System.err,
        HfHub::fromEnvironment,
        System.console() != null && !"dumb".equals(System.getenv("TERM")));
  }

  /**
   * @param out where the report goes
   * @param err where progress bars and errors go
   * @param hub the Hub client, for resources that name Hugging Face models or datasets
   * @param interactive redraw progress bars in place (a terminal)
   */
  public RunCommand(PrintStream out, PrintStream err, Supplier<HfHub> hub, boolean interactive) {
    this.out = out;
    this.err = err;
    this.hub = hub;
    this.interactive = interactive;
  }

  @Override
  public Integer call() throws IOException {
    EngineThreads.preferSingleThread();
    if (!Files.isRegularFile(file)) {
      err.println("run: " + file + ": no such file");
      return 2;
    }
    LocalVolumes volumes = new LocalVolumes(file, output, hub);
    LocalPlan plan;
    try {
      plan = LocalPlan.read(file, volumes);
    } catch (InvalidResourcesException e) {
      err.println("run: " + e.getMessage());
      return 2;
    }
    Files.createDirectories(volumes.output());
    Path logFile = volumes.output().resolve(LOG);
    try (BufferedWriter logWriter =
        Files.newBufferedWriter(
            logFile,
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND)) {
      Consumer<String> log =
          line -> {
            String stamped = LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + " " + line;
            synchronized (logWriter) {
              try {
                logWriter.write(stamped);
                logWriter.newLine();
                logWriter.flush();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            }
            if (verbose) {
              err.println(stamped);
            }
          };
      err.println(
          "run: "
              + plan.steps().size()
              + " step(s) from "
              + file
              + " → "
              + volumes.output()
              + ": "
              + plan.steps().stream()
                  .map(
                      s ->
                          s.getClass()
                                  .getSimpleName()
                                  .replace("Step", "")
                                  .toLowerCase(java.util.Locale.ROOT)
                              + " "
                              + s.name())
                  .collect(Collectors.joining(", ")));
      LocalRunner runner = new LocalRunner(plan, volumes, err, interactive, log, hub);
      Thread hook = new Thread(runner::requestStop, "run-sigterm");
      Runtime.getRuntime().addShutdownHook(hook);
      RunReport report;
      try {
        report = runner.run();
      } catch (LocalRunException e) {
        log.accept("failed: " + CliErrors.stackTrace(e)); // the trace stays in run.log
        err.println("run: " + e.getMessage());
        err.println("run: log in " + logFile);
        return 1;
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running: the process is on its way out
        }
      }
      Path reportFile = volumes.output().resolve(REPORT);
      AtomicFiles.writeString(reportFile, report.toJson().toPrettyString() + "\n");
      out.print(report.toText());
      out.println("\nreport: " + reportFile + "\nlog:    " + logFile);
      out.flush();
      boolean gateFailed = report.evaluations().stream().anyMatch(e -> !e.gatePassed());
      return gateFailed ? 3 : 0;
    }
  }
}
