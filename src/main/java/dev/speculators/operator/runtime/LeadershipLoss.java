package dev.speculators.operator.runtime;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * What a replica does when it stops leading: if another replica took the Lease over, it exits (and
 * Kubernetes restarts it as a follower), because a deposed leader must not keep reconciling next to
 * the new one. When the operator itself is stopping it must not exit again: {@code System.exit}
 * from inside a shutdown hook blocks forever, and the pod would hang until it is killed.
 */
public final class LeadershipLoss {
  private static final Logger LOG = Logger.getLogger(LeadershipLoss.class);
  private static final AtomicBoolean STOPPING = new AtomicBoolean();

  private LeadershipLoss() {}

  /** Called before the operator is stopped: losing the lease is expected from now on. */
  public static void operatorStopping() {
    STOPPING.set(true);
  }

  /** Leader-election callbacks that exit the process when this replica is deposed. */
  public static LeaderCallbacks callbacks() {
    return new LeaderCallbacks(
        () -> LOG.info("Leading: controllers start processing events"),
        LeadershipLoss::stoppedLeading,
        leader -> LOG.infof("Current leader: %s", leader));
  }

  private static void stoppedLeading() {
    if (STOPPING.get()) {
      return;
    }
    LOG.warn(
        "Lost the leader lease to another replica; exiting so that this replica restarts as a"
            + " follower");
    // Not on the calling thread: the shutdown that exit starts stops the operator, which waits for
    // the leader-election threads, this one among them.
    Thread exit = new Thread(() -> System.exit(1), "leader-lost-exit");
    exit.setDaemon(false);
    exit.start();
  }
}
