package dev.speculators.operator.pods;

import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;

/**
 * Security contexts of workload pods. Workers run as their image's non-root user without privilege
 * escalation or capabilities; the pod's fsGroup gives them write access to the volumes (changed
 * only when the volume root does not match, so large volumes are not walked on every start). vLLM's
 * upstream image runs as root, so its container is not forced to a user, but it gets no
 * capabilities and no privilege escalation either.
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

  /** A worker container running as {@code userId}. */
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

  /** The vLLM container: the image's user, no capabilities, no privilege escalation. */
  public static SecurityContext vllm() {
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .build();
  }
}
