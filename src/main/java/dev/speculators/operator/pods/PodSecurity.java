package dev.speculators.operator.pods;

import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;

/**
 * Security contexts of workload pods, by default within Pod Security "restricted": every container
 * runs as a non-root user, without privilege escalation or capabilities, under the RuntimeDefault
 * seccomp profile. All containers of a pod that share a volume run as one user (vLLM as the pod's
 * worker user), and every pod has the same {@code fsGroup}, which owns the volumes (changed only
 * when a volume's root does not match, so large volumes are not walked on every start) and the
 * files the containers create group-writable.
 */
public final class PodSecurity {
  private PodSecurity() {}

  /** Pod level: RuntimeDefault seccomp, volumes group-owned by {@code fsGroup}. */
  public static PodSecurityContext pod(long fsGroup) {
    return new PodSecurityContextBuilder()
        .withFsGroup(fsGroup)
        .withFsGroupChangePolicy("OnRootMismatch")
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .build();
  }

  /** A container running as {@code userId}. */
  public static SecurityContext worker(long userId) {
    return new SecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withRunAsUser(userId)
        .withAllowPrivilegeEscalation(false)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .build();
  }

  /**
   * A vLLM container: the pod's worker user, or root where the operator is set to run vLLM as root
   * (an image that needs it); never capabilities or privilege escalation.
   */
  public static SecurityContext vllm(long userId, boolean root) {
    if (!root) {
      return worker(userId);
    }
    return new SecurityContextBuilder()
        .withRunAsNonRoot(false)
        .withRunAsUser(0L)
        .withAllowPrivilegeEscalation(false)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .build();
  }
}
