package dev.speculators.operator.runtime;

import io.javaoperatorsdk.operator.Operator;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * Starts the controllers when the runtime has started and stops them on shutdown.
 *
 * <p>The Quarkus operator extension does this itself only for applications without their own {@code
 * QuarkusApplication}; this one has one (the {@code operator} command keeps the runtime alive), so
 * the extension leaves starting the operator to the application. With leader election (prod) {@code
 * start} returns at once and the controllers start when this replica leads.
 */
@Singleton
public class OperatorLifecycle {
  private static final Logger LOG = Logger.getLogger(OperatorLifecycle.class);

  @Inject Operator operator;

  void onStart(@Observes StartupEvent event) {
    int controllers = operator.getRegisteredControllersNumber();
    LOG.infof("Starting the operator with %d controllers", controllers);
    operator.start();
  }

  void onStop(@Observes ShutdownEvent event) {
    LOG.info("Stopping the operator");
    LeadershipLoss.operatorStopping();
    operator.stop();
  }
}
