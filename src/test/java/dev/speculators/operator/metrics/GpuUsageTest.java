package dev.speculators.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class GpuUsageTest {
  private static final String GPU = "nvidia.com/gpu";
  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

  private static Container container(String name, Integer gpus, String restartPolicy) {
    ContainerBuilder b =
        new ContainerBuilder().withName(name).withImage("x").withRestartPolicy(restartPolicy);
    if (gpus != null) {
      b.withNewResources()
          .addToLimits(GPU, new Quantity(gpus.toString()))
          .addToRequests(GPU, new Quantity(gpus.toString()))
          .endResources();
    }
    return b.build();
  }

  @Test
  void sidecarsAndContainersAddUpPlainInitContainersDoNot() {
    PodSpec datagen =
        new PodSpecBuilder()
            .withInitContainers(container("layer-ids", null, null), container("vllm", 4, "Always"))
            .withContainers(container("datagen", null, null))
            .build();
    assertThat(GpuUsage.gpus(datagen, GPU)).isEqualTo(4);
    PodSpec evalWithBaseline =
        new PodSpecBuilder()
            .withInitContainers(
                container("vllm", 2, "Always"), container("vllm-baseline", 2, "Always"))
            .withContainers(container("eval", null, null))
            .build();
    assertThat(GpuUsage.gpus(evalWithBaseline, GPU)).isEqualTo(4);
    PodSpec bigInit =
        new PodSpecBuilder()
            .withInitContainers(container("warmup", 8, null))
            .withContainers(container("train", 2, null))
            .build();
    assertThat(GpuUsage.gpus(bigInit, GPU))
        .as("the scheduler reserves the largest init container")
        .isEqualTo(8);
    assertThat(GpuUsage.gpus(bigInit, "amd.com/gpu")).isZero();
    assertThat(
            GpuUsage.gpus(
                new PodSpecBuilder().withContainers(container("cpu", null, null)).build(), GPU))
        .isZero();
  }

  private static Pod pod(int gpus, String phase, String startTime, String finishedAt) {
    PodBuilder b =
        new PodBuilder()
            .withNewMetadata()
            .withName("p")
            .endMetadata()
            .withSpec(new PodSpecBuilder().withContainers(container("train", gpus, null)).build())
            .withNewStatus()
            .withPhase(phase)
            .withStartTime(startTime)
            .endStatus();
    if (finishedAt != null) {
      b.editStatus()
          .withContainerStatuses(
              new ContainerStatusBuilder()
                  .withName("train")
                  .withNewState()
                  .withNewTerminated()
                  .withExitCode(0)
                  .withStartedAt(startTime)
                  .withFinishedAt(finishedAt)
                  .endTerminated()
                  .endState()
                  .build())
          .endStatus();
    }
    return b.build();
  }

  @Test
  void gpusTimesRunningTimeUntilNowOrTheLastContainerEnd() {
    Instant now = T0.plus(Duration.ofMinutes(10));
    Pod running = pod(2, "Running", T0.toString(), null);
    Pod done = pod(4, "Succeeded", T0.toString(), T0.plusSeconds(90).toString());
    Pod failed = pod(1, "Failed", T0.plusSeconds(30).toString(), T0.plusSeconds(60).toString());
    Pod pending = pod(8, "Pending", null, null);
    assertThat(GpuUsage.seconds(List.of(running), GPU, now)).isCloseTo(2 * 600.0, within(1e-9));
    assertThat(GpuUsage.seconds(List.of(done), GPU, now)).isCloseTo(4 * 90.0, within(1e-9));
    assertThat(GpuUsage.seconds(List.of(running, done, failed, pending), GPU, now))
        .isCloseTo(1200 + 360 + 30, within(1e-9));
  }

  @Test
  void withoutAStartTimeTheFirstContainerStartCounts() {
    Pod p =
        new PodBuilder()
            .withSpec(new PodSpecBuilder().withContainers(container("eval", 1, null)).build())
            .withNewStatus()
            .withPhase("Running")
            .withContainerStatuses(
                new ContainerStatusBuilder()
                    .withName("eval")
                    .withNewState()
                    .withNewRunning()
                    .withStartedAt(T0.toString())
                    .endRunning()
                    .endState()
                    .build())
            .endStatus()
            .build();
    assertThat(GpuUsage.running(p, T0.plusSeconds(42))).contains(Duration.ofSeconds(42));
    assertThat(
            GpuUsage.running(
                new PodBuilder().withNewStatus().withPhase("Pending").endStatus().build(), T0))
        .isEmpty();
  }
}
