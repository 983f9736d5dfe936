package dev.speculators.operator;

import dev.speculators.operator.dataset.HiddenStateDatasetReconciler;
import dev.speculators.operator.kube.WorkloadSettings;
import dev.speculators.operator.runtime.LeaderElectionProducer;
import dev.speculators.operator.runtime.LeadershipLoss;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;

/**
 * An operator replica in its own JVM, with the production leader-election configuration: it runs
 * until it is deposed (then it exits with status 1) or terminated (then it stops cleanly).
 * Arguments: API server URL, namespace, identity.
 */
public final class LeaderElectionChild {
  private LeaderElectionChild() {}

  public static void main(String[] args) {
    Config config =
        new ConfigBuilder()
            .withMasterUrl(args[0])
            .withNamespace(args[1])
            .withTrustCerts(true)
            .build();
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    Operator operator =
        new Operator(
            o ->
                o.withKubernetesClient(client)
                    .withLeaderElectionConfiguration(LeaderElectionProducer.configuration(args[2]))
                    .withUseSSAToPatchPrimaryResource(false)
                    .withSSABasedCreateUpdateMatchForDependentResources(false));
    operator.register(new HiddenStateDatasetReconciler(WorkloadSettings.defaults()));
    // what the operator does on SIGTERM (see OperatorLifecycle)
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LeadershipLoss.operatorStopping();
                  operator.stop();
                }));
    operator.start();
  }
}
