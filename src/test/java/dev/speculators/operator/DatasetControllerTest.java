package dev.speculators.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.speculators.api.DatasetPhase;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.operator.testing.ClusterSim;
import dev.speculators.operator.testing.Resources;
import dev.speculators.operator.testing.Summaries;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithKubernetesTestServer(crud = true)
class DatasetControllerTest {
  @Inject KubernetesClient client;

  @Test
  void smoke() {
    String ns = "ds-smoke";
    ClusterSim sim = new ClusterSim(client);
    HiddenStateDataset ds = Resources.create(client, """
        apiVersion: speculators.dev/v1alpha1
        kind: HiddenStateDataset
        metadata: {name: small}
        spec:
          targetModel: {hfId: org/model}
          datasets: [{preset: sharegpt}]
          layerIds: [2, 4, 5, 8]
          shards: 2
        """, HiddenStateDataset.class, ns);
    Job job = sim.awaitJob(ns, "small-datagen");
    System.out.println(client.getKubernetesSerialization().asYaml(job));
    sim.start(job);
    sim.succeedIndex(job, "datagen", 0, Summaries.datagen(0, 2, 10, 1000, 5000, false));
    sim.succeedIndex(job, "datagen", 1, Summaries.datagen(1, 2, 12, 1200, 6000, true));
    HiddenStateDataset done = await().atMost(Duration.ofSeconds(20)).until(
        () -> client.resources(HiddenStateDataset.class).inNamespace(ns).withName("small").get(),
        d -> d.getStatus() != null && d.getStatus().phase == DatasetPhase.SUCCEEDED);
    System.out.println(client.getKubernetesSerialization().asYaml(done));
  }
}
