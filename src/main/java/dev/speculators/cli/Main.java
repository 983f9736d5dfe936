package dev.speculators.cli;

import io.quarkus.runtime.annotations.QuarkusMain;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the one application jar. Each role runs it with another command ({@code operator},
 * {@code datagen}, {@code train}, {@code eval}, {@code run}, ...).
 *
 * <p>Only {@code operator} boots the Quarkus runtime (controllers, HTTP endpoints for health and
 * metrics). The worker commands are plain Java programs: they start in well under a second and open
 * no ports, which matters in pods that run next to a vLLM server.
 */
@QuarkusMain
@Command(
    name = "speculators",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description =
        "Train, serve and benchmark EAGLE3 speculators for vLLM, on Kubernetes or locally.",
    subcommands = {
      OperatorCommand.class,
      BenchCommand.class,
      DatagenCommand.class,
      EvalCommand.class,
      LayerIdsCommand.class,
      TrainCommand.class,
      VerifyGoldenCommand.class,
      RunCommand.class,
      MakeTinyModelCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String... args) {
    Workers.configureNativeEnvironment();
    int code = commandLine().execute(args);
    // fabric8's HTTP client and DJL leave non-daemon threads behind; a finished command must end
    // the JVM.
    System.exit(code);
  }

  /**
   * The application's command tree as the jar runs it: every error reported on one line, stack
   * traces with {@code --verbose} ({@link CliErrors}).
   */
  public static CommandLine commandLine() {
    return CliErrors.install(new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true));
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
