package dev.speculators.operator.workload;

import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;

/** Pods in the states the kubelet reports, for pure tests. */
final class Pods {
  private Pods() {}

  static PodBuilder pod(String name, String phase, String created) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withCreationTimestamp(created)
        .endMetadata()
        .withNewStatus()
        .withPhase(phase)
        .endStatus();
  }

  static Pod running(String name, String worker) {
    return pod(name, "Running", "2026-01-01T00:00:00Z")
        .editStatus()
        .addToContainerStatuses(
            new ContainerStatusBuilder()
                .withName(worker)
                .withState(new ContainerStateBuilder().withNewRunning().endRunning().build())
                .build())
        .endStatus()
        .build();
  }

  static Pod unschedulable(String name, String message) {
    return pod(name, "Pending", "2026-01-01T00:00:00Z")
        .editStatus()
        .addToConditions(
            new PodConditionBuilder()
                .withType("PodScheduled")
                .withStatus("False")
                .withReason("Unschedulable")
                .withMessage(message)
                .build())
        .endStatus()
        .build();
  }

  static Pod waiting(String name, String container, boolean init, String reason, String message) {
    var status =
        new ContainerStatusBuilder()
            .withName(container)
            .withImage("img:1")
            .withState(
                new ContainerStateBuilder()
                    .withNewWaiting()
                    .withReason(reason)
                    .withMessage(message)
                    .endWaiting()
                    .build())
            .build();
    var b = pod(name, "Pending", "2026-01-01T00:00:00Z").editStatus();
    if (init) {
      b.addToInitContainerStatuses(status);
    } else {
      b.addToContainerStatuses(status);
    }
    return b.endStatus().build();
  }

  static Pod failed(
      String name, String created, String container, int exit, String reason, String message) {
    return pod(name, "Failed", created)
        .editStatus()
        .addToContainerStatuses(
            new ContainerStatusBuilder()
                .withName(container)
                .withState(
                    new ContainerStateBuilder()
                        .withNewTerminated()
                        .withExitCode(exit)
                        .withReason(reason)
                        .withMessage(message)
                        .endTerminated()
                        .build())
                .build())
        .endStatus()
        .build();
  }
}
