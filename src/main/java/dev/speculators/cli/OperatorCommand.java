package dev.speculators.cli;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;

/** Runs the Kubernetes operator: the controllers for the three resources, health and metrics. */
@Command(
    name = "operator",
    mixinStandardHelpOptions = true,
    description = {
      "Run the operator against the current Kubernetes context (in a pod: its service account).",
      "Health: /q/health, metrics: /q/metrics on port 8080."
    })
public final class OperatorCommand implements Callable<Integer> {

  @Override
  public Integer call() throws OperatorStartupException {
    AtomicInteger exit = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Quarkus.run(
        OperatorApplication.class,
        (code, error) -> {
          exit.set(code);
          failure.set(error);
        });
    if (failure.get() != null && !OperatorStartup.isStarted()) {
      throw new OperatorStartupException(OperatorStartup.describe(failure.get()), failure.get());
    }
    return exit.get();
  }

  /** The operator did not start; the message says why in one line. */
  static final class OperatorStartupException extends Exception {
    OperatorStartupException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Keeps the Quarkus runtime (and with it the JOSDK operator) alive until SIGTERM. */
  public static final class OperatorApplication implements QuarkusApplication {
    @Override
    public int run(String... args) {
      OperatorStartup.started();
      Quarkus.waitForExit();
      return 0;
    }
  }
}
