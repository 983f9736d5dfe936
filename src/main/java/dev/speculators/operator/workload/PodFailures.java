package dev.speculators.operator.workload;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Why the newest failed pod of a workload failed: the container's exit, or the pod's reason. */
public final class PodFailures {
  private PodFailures() {}

  /**
   * One pod failure.
   *
   * @param pod pod name
   * @param container the failed container, or null for a pod-level failure (eviction, deadline)
   * @param exitCode its exit code, or null
   * @param reason the kubelet's reason: OOMKilled, Error, Evicted, DeadlineExceeded, ...
   * @param detail the worker's error (from its JSON summary) or the log tail, may be empty
   */
  public record Failure(
      String pod, String container, Integer exitCode, String reason, String detail) {

    /** True when the container was killed for exceeding its memory limit. */
    public boolean oomKilled() {
      return "OOMKilled".equals(reason);
    }

    /** A one-line account for status messages. */
    public String describe() {
      StringBuilder s = new StringBuilder("pod ").append(pod);
      if (container != null) {
        s.append(", container ").append(container).append(" exited with code ").append(exitCode);
        if (reason != null) {
          s.append(" (").append(reason).append(')');
        }
      } else if (reason != null) {
        s.append(" failed (").append(reason).append(')');
      }
      if (detail != null && !detail.isBlank()) {
        s.append(": ").append(detail);
      }
      return s.toString();
    }
  }

  /** The failure of the newest failed pod, preferring {@code worker}'s exit. */
  public static Optional<Failure> newest(List<Pod> pods, String worker) {
    List<Pod> failed =
        new ArrayList<>(
            pods.stream()
                .filter(p -> p.getStatus() != null && "Failed".equals(p.getStatus().getPhase()))
                .toList());
    failed.sort(Comparator.comparing(PodDiagnosis::created).reversed());
    return failed.stream().findFirst().map(p -> failure(p, worker));
  }

  /** Why {@code pod} failed. */
  public static Failure failure(Pod pod, String worker) {
    String name = pod.getMetadata().getName();
    Optional<ContainerStateTerminated> w = TerminationMessages.terminated(pod, worker);
    if (w.isPresent() && w.get().getExitCode() != null && w.get().getExitCode() != 0) {
      return new Failure(name, worker, w.get().getExitCode(), w.get().getReason(), detail(w.get()));
    }
    for (ContainerStatus s : statuses(pod)) {
      ContainerStateTerminated t = s.getState() == null ? null : s.getState().getTerminated();
      if (t != null && t.getExitCode() != null && t.getExitCode() != 0) {
        return new Failure(name, s.getName(), t.getExitCode(), t.getReason(), detail(t));
      }
    }
    return new Failure(
        name,
        null,
        null,
        pod.getStatus().getReason(),
        PodDiagnosis.text(pod.getStatus().getMessage()));
  }

  private static String detail(ContainerStateTerminated t) {
    Optional<ObjectNode> summary = TerminationMessages.parse(t.getMessage());
    if (summary.isPresent() && summary.get().hasNonNull("error")) {
      return summary.get().get("error").asText();
    }
    return t.getMessage() == null || t.getMessage().isBlank()
        ? ""
        : PodDiagnosis.tail(t.getMessage(), 600);
  }

  private static List<ContainerStatus> statuses(Pod pod) {
    List<ContainerStatus> all = new ArrayList<>();
    if (pod.getStatus().getContainerStatuses() != null) {
      all.addAll(pod.getStatus().getContainerStatuses());
    }
    if (pod.getStatus().getInitContainerStatuses() != null) {
      all.addAll(pod.getStatus().getInitContainerStatuses());
    }
    return all;
  }
}
