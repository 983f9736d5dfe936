package dev.speculators.cli;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import java.util.concurrent.Callable;
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
  public Integer call() {
    Quarkus.run(OperatorApplication.class);
    return 0;
  }

  /** Keeps the Quarkus runtime (and with it the JOSDK operator) alive until SIGTERM. */
  public static final class OperatorApplication implements QuarkusApplication {
    @Override
    public int run(String... args) {
      Quarkus.waitForExit();
      return 0;
    }
  }
}
