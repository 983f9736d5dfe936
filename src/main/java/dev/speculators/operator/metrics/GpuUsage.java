package dev.speculators.operator.metrics;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * GPU-seconds of a resource's pods: for each pod, the GPUs it holds times the time it has held
 * them, from the pod's start until its last container finished (or now, while it runs). A pod holds
 * its GPUs as the scheduler counts them: the containers and native sidecars together, or the
 * largest plain init container if that is more.
 */
public final class GpuUsage {
  private GpuUsage() {}

  /** The GPU-seconds of {@code pods} up to {@code now}, counting {@code gpuResource}. */
  public static double seconds(List<Pod> pods, String gpuResource, Instant now) {
    double total = 0;
    for (Pod pod : pods) {
      long gpus = gpus(pod.getSpec(), gpuResource);
      if (gpus > 0) {
        total += gpus * running(pod, now).map(d -> d.toMillis() / 1000.0).orElse(0.0);
      }
    }
    return total;
  }

  /** The GPUs a pod holds: what the scheduler reserves for it. */
  public static long gpus(PodSpec spec, String gpuResource) {
    if (spec == null) {
      return 0;
    }
    long running = 0;
    long largestInit = 0;
    for (Container c : list(spec.getInitContainers())) {
      if ("Always".equals(c.getRestartPolicy())) {
        running += gpus(c, gpuResource); // a native sidecar runs beside the containers
      } else {
        largestInit = Math.max(largestInit, gpus(c, gpuResource));
      }
    }
    for (Container c : list(spec.getContainers())) {
      running += gpus(c, gpuResource);
    }
    return Math.max(running, largestInit);
  }

  private static long gpus(Container c, String gpuResource) {
    if (c.getResources() == null) {
      return 0;
    }
    // extended resources must have equal requests and limits; limits are the ones always present
    Quantity q = quantity(c.getResources().getLimits(), gpuResource);
    if (q == null) {
      q = quantity(c.getResources().getRequests(), gpuResource);
    }
    return q == null ? 0 : Quantity.getAmountInBytes(q).longValue();
  }

  private static Quantity quantity(Map<String, Quantity> map, String key) {
    return map == null ? null : map.get(key);
  }

  /**
   * How long a pod has held its node's resources: from its start (the kubelet's {@code
   * status.startTime}, else its first container start) to the end of its last container (finished
   * pods) or now. Empty for a pod that has not started.
   */
  public static Optional<Duration> running(Pod pod, Instant now) {
    if (pod.getStatus() == null) {
      return Optional.empty();
    }
    List<ContainerStatus> statuses =
        new ArrayList<>(list(pod.getStatus().getInitContainerStatuses()));
    statuses.addAll(list(pod.getStatus().getContainerStatuses()));
    Instant earliestStart = null;
    Instant lastFinish = null;
    for (ContainerStatus s : statuses) {
      for (ContainerState state : new ContainerState[] {s.getState(), s.getLastState()}) {
        if (state == null) {
          continue;
        }
        Instant started =
            state.getRunning() != null
                ? time(state.getRunning().getStartedAt())
                : state.getTerminated() != null ? time(state.getTerminated().getStartedAt()) : null;
        if (started != null && (earliestStart == null || started.isBefore(earliestStart))) {
          earliestStart = started;
        }
        Instant finished =
            state.getTerminated() == null ? null : time(state.getTerminated().getFinishedAt());
        if (finished != null && (lastFinish == null || finished.isAfter(lastFinish))) {
          lastFinish = finished;
        }
      }
    }
    Instant podStart = time(pod.getStatus().getStartTime());
    Instant start = podStart != null ? podStart : earliestStart;
    if (start == null) {
      return Optional.empty();
    }
    String phase = pod.getStatus().getPhase();
    boolean finished = "Succeeded".equals(phase) || "Failed".equals(phase);
    Instant end = finished ? (lastFinish == null ? start : lastFinish) : now;
    return end.isAfter(start)
        ? Optional.of(Duration.between(start, end))
        : Optional.of(Duration.ZERO);
  }

  private static Instant time(String rfc3339) {
    if (rfc3339 == null || rfc3339.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(rfc3339);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : l;
  }
}
