package dev.speculators.operator.runtime;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Leader election for running several operator replicas: only the holder of the Lease {@value
 * #LEASE_NAME} (in the operator's namespace) reconciles. The Quarkus operator extension activates
 * it in the prod profile only.
 *
 * <p>A replica that loses the Lease exits, so that Kubernetes restarts it as a follower; left to
 * the library default it would keep reconciling next to the new leader. The exit is done by {@link
 * LeadershipLoss} rather than the library's exit-on-stop-leading switch, which would also exit from
 * within a normal shutdown and hang the process there.
 */
@Singleton
public class LeaderElectionProducer {
  /** Name of the coordination.k8s.io Lease. */
  public static final String LEASE_NAME = "speculators-operator-lease";

  @Produces
  @Singleton
  LeaderElectionConfiguration leaderElection() {
    return configuration(identity());
  }

  /** The configuration for a replica with the given identity (the Lease holder name). */
  public static LeaderElectionConfiguration configuration(String identity) {
    // A null lease namespace means the client's (in a pod: the pod's) namespace.
    return new LeaderElectionConfiguration(
        LEASE_NAME,
        null,
        LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
        LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
        LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
        identity,
        LeadershipLoss.callbacks(),
        false);
  }

  /** The pod name (POD_NAME from the downward API), else the host name. */
  static String identity() {
    for (String var : new String[] {"POD_NAME", "HOSTNAME"}) {
      String v = System.getenv(var);
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      throw new IllegalStateException(
          "cannot determine a leader-election identity: set POD_NAME", e);
    }
  }
}
