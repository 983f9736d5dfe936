package dev.speculators.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.speculators.api.DatasetPreset;
import dev.speculators.api.DatasetSource;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.api.HiddenStateDatasetSpec;
import dev.speculators.api.common.ModelSource;
import dev.speculators.operator.runtime.LeaderElectionProducer;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The production leader-election configuration, with a replica in a child JVM: it acquires the
 * Lease, reconciles as leader, and exits when another replica takes the Lease over.
 */
@EnableKubernetesMockClient(crud = true)
class LeaderElectionTest {
  static KubernetesMockServer server;
  static KubernetesClient client;

  @Test
  void configuration() {
    LeaderElectionConfiguration c = LeaderElectionProducer.configuration("pod-a");
    assertThat(c.getLeaseName()).isEqualTo("speculators-operator-lease");
    // the exit is ours (LeadershipLoss), not the library's, which would also exit during shutdown
    assertThat(c.isExitOnStopLeading()).isFalse();
    assertThat(c.getLeaderCallbacks()).isPresent();
    assertThat(c.getIdentity()).contains("pod-a");
  }

  @Test
  void theLeaderReconcilesAndExitsWhenDeposed() throws Exception {
    prepareServer();
    String ns = "speculators-system";
    Process replica = startReplica(ns);
    try {
      awaitLeader(ns, "pod-a");

      client.resource(new HiddenStateDataset(ns, "ds", tinySpec())).create();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                HiddenStateDataset d =
                    client.resources(HiddenStateDataset.class).inNamespace(ns).withName("ds").get();
                return d.getStatus() != null
                    && Long.valueOf(1).equals(d.getStatus().observedGeneration);
              });
      assertThat(replica.isAlive()).isTrue();

      // another replica takes the Lease over
      client
          .leases()
          .inNamespace(ns)
          .withName(LeaderElectionProducer.LEASE_NAME)
          .edit(
              l -> {
                l.getSpec().setHolderIdentity("pod-b");
                l.getSpec().setRenewTime(ZonedDateTime.now());
                l.getSpec().setAcquireTime(ZonedDateTime.now());
                l.getSpec().setLeaseDurationSeconds(120);
                return l;
              });
      assertThat(replica.waitFor(90, TimeUnit.SECONDS)).as("deposed leader exits").isTrue();
      assertThat(replica.exitValue()).isEqualTo(1);
      Lease lease =
          client.leases().inNamespace(ns).withName(LeaderElectionProducer.LEASE_NAME).get();
      assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("pod-b");
    } finally {
      replica.destroyForcibly();
    }
  }

  @Test
  void aTerminatedLeaderStopsWithoutHanging() throws Exception {
    prepareServer();
    String ns = "other-system";
    Process replica = startReplica(ns);
    try {
      awaitLeader(ns, "pod-a");
      replica.destroy(); // SIGTERM, as the kubelet sends it
      assertThat(replica.waitFor(30, TimeUnit.SECONDS))
          .as("stops within the grace period")
          .isTrue();
    } finally {
      replica.destroyForcibly();
    }
  }

  private void awaitLeader(String ns, String identity) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> client.leases().inNamespace(ns).withName(LeaderElectionProducer.LEASE_NAME).get(),
            l -> l != null && identity.equals(l.getSpec().getHolderIdentity()));
  }

  private Process startReplica(String ns) throws IOException {
    return new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            LeaderElectionChild.class.getName(),
            server.url("/"),
            ns,
            "pod-a")
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  private void prepareServer() throws IOException {
    if (client
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName("hiddenstatedatasets.speculators.dev")
            .get()
        != null) {
      return;
    }
    // the test server cannot answer the RBAC pre-check the library makes before electing
    server
        .expect()
        .post()
        .withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
        .andReturn(
            201,
            new SelfSubjectRulesReviewBuilder()
                .withNewStatus()
                .withIncomplete(false)
                .addNewResourceRule()
                .withApiGroups("coordination.k8s.io")
                .withResources("leases")
                .withVerbs("get", "create", "update")
                .endResourceRule()
                .endStatus()
                .build())
        .always();
    try (InputStream crd =
        new FileInputStream(
            Path.of("crds", "hiddenstatedatasets.speculators.dev-v1.yml").toFile())) {
      client.apiextensions().v1().customResourceDefinitions().load(crd).create();
    }
  }

  private static HiddenStateDatasetSpec tinySpec() {
    HiddenStateDatasetSpec spec = new HiddenStateDatasetSpec();
    spec.targetModel = new ModelSource();
    spec.targetModel.path = "models/tiny";
    DatasetSource source = new DatasetSource();
    source.preset = DatasetPreset.SHAREGPT;
    spec.datasets = List.of(source);
    return spec;
  }
}
