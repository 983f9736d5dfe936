package dev.speculators.operator.pods;

import static org.assertj.core.api.Assertions.assertThat;

import dev.speculators.api.HiddenStateDataset;
import dev.speculators.operator.kube.WorkloadSettings;
import dev.speculators.operator.testing.PodSecurityStandards;
import dev.speculators.operator.testing.Resources;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The restricted-profile check itself catches each kind of violation, and the pods the operator
 * builds pass it (every example's pods are checked where the examples run, in {@code
 * ExamplesOnClusterTest}) unless the operator is told to run vLLM as root.
 */
class RestrictedPodsTest {

  private static HiddenStateDataset dataset(String layerIds) {
    return Resources.parse(
        """
        apiVersion: speculators.dev/v1alpha1
        kind: HiddenStateDataset
        metadata: {name: ds}
        spec:
          targetModel: {hfId: org/target, tokenSecretRef: {name: hf-token}}
          datasets: [{preset: sharegpt}]
        """
            + layerIds,
        HiddenStateDataset.class,
        "ns");
  }

  private static PodTemplateSpec datagenPod(HiddenStateDataset ds, WorkloadSettings settings) {
    return new DatagenWorkload(
            ds, StoragePlan.of(ds, ds.getSpec().storage, "hidden-states", "100Gi"), settings)
        .job()
        .getSpec()
        .getTemplate();
  }

  @Test
  void theOperatorsDatagenPodsPassWithAndWithoutTheLayerIdsInitContainer() {
    for (String ids : List.of("  layerIds: [2, 4, 5, 8]\n", "")) {
      PodTemplateSpec pod = datagenPod(dataset(ids), WorkloadSettings.defaults());
      assertThat(PodSecurityStandards.restricted(pod)).as(ids).isEmpty();
      assertThat(PodSecurityStandards.missingRequests(pod)).as(ids).isEmpty();
    }
  }

  @Test
  void runningVllmAsRootIsTheOneDocumentedWayOutOfRestricted() {
    PodTemplateSpec pod =
        datagenPod(dataset(""), WorkloadSettings.defaults().withVllmRunAsRoot(true));
    assertThat(PodSecurityStandards.restricted(pod))
        .isNotEmpty()
        .allSatisfy(v -> assertThat(v).startsWith("container vllm: Running as Non-root"));
  }

  @Test
  void theCheckCatchesEveryControlItChecks() {
    PodTemplateSpec bad =
        new PodTemplateSpecBuilder()
            .withNewMetadata()
            .addToAnnotations("container.apparmor.security.beta.kubernetes.io/w", "unconfined")
            .endMetadata()
            .withNewSpec()
            .withHostNetwork(true)
            .addNewVolume()
            .withName("host")
            .withNewHostPath()
            .withPath("/var")
            .endHostPath()
            .endVolume()
            .addNewVolume()
            .withName("nfs")
            .withNewNfs()
            .withServer("s")
            .withPath("/x")
            .endNfs()
            .endVolume()
            .addNewContainer()
            .withName("w")
            .withImage("i")
            .addNewPort()
            .withContainerPort(80)
            .withHostPort(80)
            .endPort()
            .withNewSecurityContext()
            .withPrivileged(true)
            .withRunAsUser(0L)
            .withNewCapabilities()
            .withAdd("SYS_ADMIN")
            .endCapabilities()
            .withNewSeccompProfile()
            .withType("Unconfined")
            .endSeccompProfile()
            .endSecurityContext()
            .endContainer()
            .endSpec()
            .build();
    assertThat(PodSecurityStandards.restricted(bad))
        .anyMatch(v -> v.startsWith("Host Namespaces"))
        .anyMatch(v -> v.startsWith("HostPath Volumes"))
        .anyMatch(v -> v.equals("Volume Types: spec.volumes[nfs].nfs"))
        .anyMatch(v -> v.startsWith("AppArmor"))
        .anyMatch(v -> v.contains("Privileged Containers"))
        .anyMatch(v -> v.contains("Host Ports"))
        .anyMatch(v -> v.contains("Capabilities (baseline)"))
        .anyMatch(v -> v.contains("drop must include ALL"))
        .anyMatch(v -> v.contains("Privilege Escalation"))
        .anyMatch(v -> v.contains("Running as Non-root:"))
        .anyMatch(v -> v.contains("runAsUser=0"))
        .anyMatch(v -> v.contains("Seccomp"));
    assertThat(PodSecurityStandards.missingRequests(bad))
        .containsExactly("container w requests no cpu", "container w requests no memory");
  }
}
