package dev.speculators.operator.testing;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.SELinuxOptions;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The controls of the Pod Security Standards' "restricted" profile (which includes "baseline"), as
 * kubernetes.io/docs/concepts/security/pod-security-standards lists them, checked on a pod
 * template: what a namespace labelled {@code pod-security.kubernetes.io/enforce: restricted} would
 * reject. Each violation names the control and the field.
 */
public final class PodSecurityStandards {
  /** Capabilities baseline lets a container add. */
  private static final Set<String> BASELINE_CAPABILITIES =
      Set.of(
          "AUDIT_WRITE",
          "CHOWN",
          "DAC_OVERRIDE",
          "FOWNER",
          "FSETID",
          "KILL",
          "MKNOD",
          "NET_BIND_SERVICE",
          "SETFCAP",
          "SETGID",
          "SETPCAP",
          "SETUID",
          "SYS_CHROOT");

  /** Volume types restricted allows. */
  private static final Set<String> RESTRICTED_VOLUMES =
      Set.of(
          "configMap",
          "csi",
          "downwardAPI",
          "emptyDir",
          "ephemeral",
          "persistentVolumeClaim",
          "projected",
          "secret");

  private static final Set<String> SAFE_SYSCTLS =
      Set.of(
          "kernel.shm_rmid_forced",
          "net.ipv4.ip_local_port_range",
          "net.ipv4.ip_unprivileged_port_start",
          "net.ipv4.tcp_syncookies",
          "net.ipv4.ping_group_range",
          "net.ipv4.ip_local_reserved_ports",
          "net.ipv4.tcp_keepalive_time",
          "net.ipv4.tcp_fin_timeout",
          "net.ipv4.tcp_keepalive_intvl",
          "net.ipv4.tcp_keepalive_probes");

  private static final Set<String> SELINUX_TYPES =
      Set.of("", "container_t", "container_init_t", "container_kvm_t", "container_engine_t");

  private PodSecurityStandards() {}

  /** The violations of "restricted" by {@code template}; empty when it passes. */
  public static List<String> restricted(PodTemplateSpec template) {
    List<String> out = new ArrayList<>();
    PodSpec spec = template.getSpec();
    PodSecurityContext pod =
        spec.getSecurityContext() == null ? new PodSecurityContext() : spec.getSecurityContext();
    List<Container> containers = new ArrayList<>();
    if (spec.getInitContainers() != null) {
      containers.addAll(spec.getInitContainers());
    }
    containers.addAll(spec.getContainers());

    // --- baseline ---
    if (pod.getWindowsOptions() != null
        && Boolean.TRUE.equals(pod.getWindowsOptions().getHostProcess())) {
      out.add("HostProcess: spec.securityContext.windowsOptions.hostProcess");
    }
    if (Boolean.TRUE.equals(spec.getHostNetwork())
        || Boolean.TRUE.equals(spec.getHostPID())
        || Boolean.TRUE.equals(spec.getHostIPC())) {
      out.add("Host Namespaces: spec.hostNetwork/hostPID/hostIPC");
    }
    for (Volume v : spec.getVolumes() == null ? List.<Volume>of() : spec.getVolumes()) {
      if (v.getHostPath() != null) {
        out.add("HostPath Volumes: spec.volumes[" + v.getName() + "].hostPath");
      }
      String type = volumeType(v);
      if (!RESTRICTED_VOLUMES.contains(type)) {
        out.add("Volume Types: spec.volumes[" + v.getName() + "]." + type);
      }
    }
    if (pod.getSeLinuxOptions() != null) {
      seLinux(out, "spec.securityContext", pod.getSeLinuxOptions());
    }
    if (pod.getAppArmorProfile() != null) {
      appArmor(out, "spec.securityContext", pod.getAppArmorProfile().getType());
    }
    Map<String, String> annotations = template.getMetadata().getAnnotations();
    if (annotations != null) {
      annotations.forEach(
          (k, v) -> {
            if (k.startsWith("container.apparmor.security.beta.kubernetes.io/")
                && !v.equals("runtime/default")
                && !v.startsWith("localhost/")) {
              out.add("AppArmor: metadata.annotations['" + k + "']=" + v);
            }
          });
    }
    for (Sysctl s : pod.getSysctls() == null ? List.<Sysctl>of() : pod.getSysctls()) {
      if (!SAFE_SYSCTLS.contains(s.getName())) {
        out.add("Sysctls: spec.securityContext.sysctls[" + s.getName() + "]");
      }
    }
    String podSeccomp = seccompType(pod.getSeccompProfile());
    if ("Unconfined".equals(podSeccomp)) {
      out.add("Seccomp: spec.securityContext.seccompProfile.type=Unconfined");
    }

    // --- restricted, pod level ---
    boolean podNonRoot = Boolean.TRUE.equals(pod.getRunAsNonRoot());
    if (Long.valueOf(0).equals(pod.getRunAsUser())) {
      out.add("Running as Non-root user: spec.securityContext.runAsUser=0");
    }
    boolean podSeccompSet = "RuntimeDefault".equals(podSeccomp) || "Localhost".equals(podSeccomp);

    for (Container c : containers) {
      String at = "container " + c.getName() + ": ";
      SecurityContext sc =
          c.getSecurityContext() == null ? new SecurityContext() : c.getSecurityContext();
      if (sc.getWindowsOptions() != null
          && Boolean.TRUE.equals(sc.getWindowsOptions().getHostProcess())) {
        out.add(at + "HostProcess: securityContext.windowsOptions.hostProcess");
      }
      if (Boolean.TRUE.equals(sc.getPrivileged())) {
        out.add(at + "Privileged Containers: securityContext.privileged");
      }
      for (ContainerPort p : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
        if (p.getHostPort() != null && p.getHostPort() != 0) {
          out.add(at + "Host Ports: ports[*].hostPort=" + p.getHostPort());
        }
      }
      if (sc.getSeLinuxOptions() != null) {
        seLinux(out, at + "securityContext", sc.getSeLinuxOptions());
      }
      if (sc.getAppArmorProfile() != null) {
        appArmor(out, at + "securityContext", sc.getAppArmorProfile().getType());
      }
      if (sc.getProcMount() != null && !"Default".equals(sc.getProcMount())) {
        out.add(at + "/proc Mount Type: securityContext.procMount=" + sc.getProcMount());
      }
      Capabilities caps = sc.getCapabilities();
      List<String> add = caps == null || caps.getAdd() == null ? List.of() : caps.getAdd();
      for (String cap : add) {
        if (!BASELINE_CAPABILITIES.contains(cap)) {
          out.add(at + "Capabilities (baseline): securityContext.capabilities.add " + cap);
        }
        if (!cap.equals("NET_BIND_SERVICE")) {
          out.add(at + "Capabilities: securityContext.capabilities.add " + cap);
        }
      }
      List<String> drop = caps == null || caps.getDrop() == null ? List.of() : caps.getDrop();
      if (!drop.contains("ALL")) {
        out.add(at + "Capabilities: securityContext.capabilities.drop must include ALL");
      }
      if (!Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
        out.add(
            at + "Privilege Escalation: securityContext.allowPrivilegeEscalation must be false");
      }
      if (Boolean.FALSE.equals(sc.getRunAsNonRoot())
          || (!podNonRoot && !Boolean.TRUE.equals(sc.getRunAsNonRoot()))) {
        out.add(at + "Running as Non-root: runAsNonRoot must be true (pod or container)");
      }
      if (Long.valueOf(0).equals(sc.getRunAsUser())) {
        out.add(at + "Running as Non-root user: securityContext.runAsUser=0");
      }
      String seccomp = seccompType(sc.getSeccompProfile());
      if (seccomp == null
          ? !podSeccompSet
          : !seccomp.equals("RuntimeDefault") && !seccomp.equals("Localhost")) {
        out.add(at + "Seccomp: seccompProfile.type must be RuntimeDefault or Localhost");
      }
    }
    return out;
  }

  /** Containers without CPU and memory requests. */
  public static List<String> missingRequests(PodTemplateSpec template) {
    List<String> out = new ArrayList<>();
    List<Container> containers = new ArrayList<>();
    if (template.getSpec().getInitContainers() != null) {
      containers.addAll(template.getSpec().getInitContainers());
    }
    containers.addAll(template.getSpec().getContainers());
    for (Container c : containers) {
      var r = c.getResources() == null ? null : c.getResources().getRequests();
      for (String key : List.of("cpu", "memory")) {
        if (r == null || !r.containsKey(key)) {
          out.add("container " + c.getName() + " requests no " + key);
        }
      }
    }
    return out;
  }

  private static String volumeType(Volume v) {
    Map<String, Object> fields =
        new io.fabric8.kubernetes.client.utils.KubernetesSerialization().convertValue(v, Map.class);
    return fields.keySet().stream().filter(k -> !k.equals("name")).findFirst().orElse("none");
  }

  private static String seccompType(SeccompProfile p) {
    return p == null ? null : p.getType();
  }

  private static void seLinux(List<String> out, String at, SELinuxOptions o) {
    if (o.getType() != null && !SELINUX_TYPES.contains(o.getType())) {
      out.add("SELinux: " + at + ".seLinuxOptions.type=" + o.getType());
    }
    if (o.getUser() != null || o.getRole() != null) {
      out.add("SELinux: " + at + ".seLinuxOptions.user/role");
    }
  }

  private static void appArmor(List<String> out, String at, String type) {
    if (type != null && !type.equals("RuntimeDefault") && !type.equals("Localhost")) {
      out.add("AppArmor: " + at + ".appArmorProfile.type=" + type);
    }
  }
}
