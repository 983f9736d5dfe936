package dev.speculators.operator.workload;

import dev.speculators.operator.status.Outcome;
import dev.speculators.operator.status.Reason;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Finds out why live workload pods do not make progress, instead of leaving the resource silently
 * pending: unschedulable pods (no GPU node), unbound or missing volumes, image pulls that fail,
 * containers that cannot be created (a missing Secret), containers that crash-loop (a vLLM sidecar
 * that cannot load its model never fails the pod by itself).
 */
public final class PodDiagnosis {
  private static final Set<String> IMAGE_PULL =
      Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull");
  private static final Set<String> CONFIG =
      Set.of("CreateContainerConfigError", "CreateContainerError", "RunContainerError");

  private PodDiagnosis() {}

  /** The most pressing trouble of the live pods, newest pod first; empty when there is none. */
  public static Optional<Outcome> diagnose(List<Pod> pods) {
    List<Pod> live = new ArrayList<>(pods.stream().filter(PodDiagnosis::live).toList());
    live.sort(Comparator.comparing(PodDiagnosis::created).reversed());
    Outcome best = null;
    for (Pod pod : live) {
      Outcome o = diagnose(pod);
      if (o != null && (best == null || rank(o.reason()) < rank(best.reason()))) {
        best = o;
      }
    }
    return Optional.ofNullable(best);
  }

  /** Pending or running pods that are not being deleted. */
  public static boolean live(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return pod.getMetadata().getDeletionTimestamp() == null
        && !"Succeeded".equals(phase)
        && !"Failed".equals(phase);
  }

  static String created(Pod pod) {
    String t = pod.getMetadata().getCreationTimestamp();
    return t == null ? "" : t;
  }

  private static int rank(Reason r) {
    return switch (r) {
      case ContainerConfigError -> 0;
      case ImagePullFailed -> 1;
      case VolumeUnavailable -> 2;
      case CrashLoopBackOff -> 3;
      default -> 4;
    };
  }

  private static Outcome diagnose(Pod pod) {
    String name = pod.getMetadata().getName();
    if (pod.getStatus() == null) {
      return null;
    }
    for (ContainerStatus s : allStatuses(pod)) {
      ContainerStateWaiting w = s.getState() == null ? null : s.getState().getWaiting();
      if (w == null || w.getReason() == null) {
        continue;
      }
      String where = "pod " + name + ", container " + s.getName() + ": ";
      if (CONFIG.contains(w.getReason())) {
        return Outcome.of(
            Reason.ContainerConfigError, where + w.getReason() + ": " + text(w.getMessage()));
      }
      if (IMAGE_PULL.contains(w.getReason())) {
        return Outcome.of(
            Reason.ImagePullFailed,
            where + w.getReason() + " for image " + s.getImage() + ": " + text(w.getMessage()));
      }
      if ("CrashLoopBackOff".equals(w.getReason())) {
        ContainerStateTerminated last =
            s.getLastState() == null ? null : s.getLastState().getTerminated();
        String lastExit =
            last == null
                ? ""
                : "; last exit "
                    + last.getExitCode()
                    + (last.getReason() == null ? "" : " (" + last.getReason() + ")")
                    + (last.getMessage() == null || last.getMessage().isBlank()
                        ? ""
                        : ": " + tail(last.getMessage(), 600));
        return Outcome.of(
            Reason.CrashLoopBackOff,
            where + "restarted " + s.getRestartCount() + " times" + lastExit);
      }
    }
    if (pod.getStatus().getConditions() != null) {
      for (PodCondition c : pod.getStatus().getConditions()) {
        if ("PodScheduled".equals(c.getType())
            && "False".equals(c.getStatus())
            && "Unschedulable".equals(c.getReason())) {
          String msg = text(c.getMessage());
          String lower = msg.toLowerCase(Locale.ROOT);
          boolean volume =
              lower.contains("persistentvolumeclaim")
                  || lower.contains("unbound immediate")
                  || lower.contains("volume node affinity");
          return Outcome.of(
              volume ? Reason.VolumeUnavailable : Reason.Unschedulable,
              "pod " + name + " cannot be scheduled: " + msg);
        }
      }
    }
    return null;
  }

  private static List<ContainerStatus> allStatuses(Pod pod) {
    List<ContainerStatus> all = new ArrayList<>();
    if (pod.getStatus().getInitContainerStatuses() != null) {
      all.addAll(pod.getStatus().getInitContainerStatuses());
    }
    if (pod.getStatus().getContainerStatuses() != null) {
      all.addAll(pod.getStatus().getContainerStatuses());
    }
    return all;
  }

  static String text(String s) {
    return s == null || s.isBlank() ? "(no message)" : s.trim();
  }

  /** The last {@code max} characters of a (log) text, on one line. */
  static String tail(String s, int max) {
    String t = s.trim().replaceAll("\\s*\\n\\s*", " | ");
    return t.length() <= max ? t : "..." + t.substring(t.length() - max);
  }
}
