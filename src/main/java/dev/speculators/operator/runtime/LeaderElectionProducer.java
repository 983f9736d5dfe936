package dev.speculators.operator.runtime;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Leader election for running several operator replicas: only the holder of the Lease
 * {@value #LEASE_NAME} (in the operator's namespace) reconciles. The Quarkus operator extension
 * activates it in the prod profile only.
 *
 * <p>A replica that loses the Lease exits, so that Kubernetes restarts it as a follower. Left to
 * the library default it would keep reconciling next to the new leader.
 */
@Singleton
public class LeaderElectionProducer {
  /** Name of the coordination.k8s.io Lease. */
  public static final String LEASE_NAME = "speculators-operator-lease";

  @Produces
  @Singleton
  LeaderElectionConfiguration leaderElection() {
    return configuration();
  }

  /** The configuration, also for tests. */
  public static LeaderElectionConfiguration configuration() {
    return LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(LEASE_NAME)
        .withExitOnStopLeading(true)
        .build();
  }
}
