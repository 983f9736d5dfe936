package dev.speculators.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.speculators.operator.status.Outcome;
import dev.speculators.operator.status.Reason;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodDiagnosisTest {

  @Test
  void healthyPodsHaveNoTrouble() {
    assertThat(PodDiagnosis.diagnose(List.of(Pods.running("p", "datagen")))).isEmpty();
    assertThat(PodDiagnosis.diagnose(List.of())).isEmpty();
  }

  @Test
  void noGpuNodeIsUnschedulableWithTheSchedulersMessage() {
    Outcome o =
        PodDiagnosis.diagnose(
                List.of(
                    Pods.unschedulable(
                        "p", "0/3 nodes are available: 3 Insufficient nvidia.com/gpu.")))
            .orElseThrow();
    assertThat(o.reason()).isEqualTo(Reason.Unschedulable);
    assertThat(o.state()).isEqualTo(Outcome.State.STALLED);
    assertThat(o.message()).contains("pod p", "Insufficient nvidia.com/gpu");
  }

  @Test
  void aMissingOrUnboundClaimIsAVolumeProblem() {
    assertThat(
            PodDiagnosis.diagnose(
                    List.of(
                        Pods.unschedulable(
                            "p",
                            "0/3 nodes are available: persistentvolumeclaim \"models\" not found.")))
                .orElseThrow()
                .reason())
        .isEqualTo(Reason.VolumeUnavailable);
    assertThat(
            PodDiagnosis.diagnose(
                    List.of(
                        Pods.unschedulable(
                            "p",
                            "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims.")))
                .orElseThrow()
                .reason())
        .isEqualTo(Reason.VolumeUnavailable);
  }

  @Test
  void imagePullsAndMissingSecretsAreNamedWithTheContainer() {
    Outcome pull =
        PodDiagnosis.diagnose(
                List.of(
                    Pods.waiting("p", "vllm", true, "ImagePullBackOff", "Back-off pulling image")))
            .orElseThrow();
    assertThat(pull.reason()).isEqualTo(Reason.ImagePullFailed);
    assertThat(pull.message()).contains("container vllm", "img:1", "Back-off");
    Outcome secret =
        PodDiagnosis.diagnose(
                List.of(
                    Pods.waiting(
                        "p",
                        "datagen",
                        false,
                        "CreateContainerConfigError",
                        "secret \"hf-token\" not found")))
            .orElseThrow();
    assertThat(secret.reason()).isEqualTo(Reason.ContainerConfigError);
    assertThat(secret.message()).contains("secret \"hf-token\" not found");
  }

  @Test
  void aCrashLoopingSidecarReportsItsLastExitAndLogTail() {
    Pod p =
        Pods.pod("p", "Pending", "t")
            .editStatus()
            .addToInitContainerStatuses(
                new ContainerStatusBuilder()
                    .withName("vllm")
                    .withRestartCount(4)
                    .withState(
                        new ContainerStateBuilder()
                            .withNewWaiting()
                            .withReason("CrashLoopBackOff")
                            .endWaiting()
                            .build())
                    .withLastState(
                        new ContainerStateBuilder()
                            .withNewTerminated()
                            .withExitCode(1)
                            .withReason("Error")
                            .withMessage(
                                "Traceback ...\nValueError: model does not support EAGLE3\n")
                            .endTerminated()
                            .build())
                    .build())
            .endStatus()
            .build();
    Outcome o = PodDiagnosis.diagnose(List.of(p)).orElseThrow();
    assertThat(o.reason()).isEqualTo(Reason.CrashLoopBackOff);
    assertThat(o.message())
        .contains("restarted 4 times", "last exit 1 (Error)", "does not support EAGLE3")
        .doesNotContain("\n");
  }

  @Test
  void configErrorsComeBeforeSchedulingAndFinishedPodsAreIgnored() {
    Pod old = Pods.failed("old", "2026-01-01T00:00:00Z", "datagen", 1, "Error", "boom");
    Outcome o =
        PodDiagnosis.diagnose(
                List.of(
                    old,
                    Pods.unschedulable("a", "no nodes"),
                    Pods.waiting(
                        "b",
                        "datagen",
                        false,
                        "CreateContainerConfigError",
                        "configmap not found")))
            .orElseThrow();
    assertThat(o.reason()).isEqualTo(Reason.ContainerConfigError);
    assertThat(PodDiagnosis.diagnose(List.of(old))).isEmpty();
  }
}
