package dev.speculators.operator.pods;

import dev.speculators.api.common.PodOverrides;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges a resource's {@code podTemplate} overrides into a pod template the operator built:
 * scheduling (node selector, tolerations, affinity, priority class), pull secrets, service account,
 * extra labels and annotations, the worker container's extra env and resources, and other
 * containers' resources by name. The operator's own labels and annotations win over user ones (the
 * API rejects the reserved prefix anyway).
 */
public final class PodCustomizer {
  private PodCustomizer() {}

  /**
   * Applies {@code overrides} to {@code template}; {@code workerName} names the worker container.
   */
  public static void apply(PodOverrides overrides, PodTemplateSpec template, String workerName) {
    if (overrides == null) {
      return;
    }
    var spec = template.getSpec();
    Container worker =
        spec.getContainers().stream()
            .filter(c -> c.getName().equals(workerName))
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("no container " + workerName));
    if (overrides.nodeSelector != null && !overrides.nodeSelector.isEmpty()) {
      spec.setNodeSelector(new LinkedHashMap<>(overrides.nodeSelector));
    }
    if (overrides.tolerations != null && !overrides.tolerations.isEmpty()) {
      spec.setTolerations(new ArrayList<>(overrides.tolerations));
    }
    if (overrides.affinity != null) {
      spec.setAffinity(overrides.affinity);
    }
    if (overrides.priorityClassName != null) {
      spec.setPriorityClassName(overrides.priorityClassName);
    }
    if (overrides.imagePullSecrets != null && !overrides.imagePullSecrets.isEmpty()) {
      spec.setImagePullSecrets(new ArrayList<>(overrides.imagePullSecrets));
    }
    if (overrides.serviceAccountName != null) {
      spec.setServiceAccountName(overrides.serviceAccountName);
    }
    template.getMetadata().setLabels(merged(overrides.labels, template.getMetadata().getLabels()));
    template
        .getMetadata()
        .setAnnotations(merged(overrides.annotations, template.getMetadata().getAnnotations()));
    if (worker != null && overrides.env != null && !overrides.env.isEmpty()) {
      List<EnvVar> env = new ArrayList<>(worker.getEnv() == null ? List.of() : worker.getEnv());
      for (EnvVar e : overrides.env) {
        env.removeIf(existing -> existing.getName().equals(e.getName()));
        env.add(e);
      }
      worker.setEnv(env);
    }
    if (overrides.containerResources != null) {
      for (Container c : all(spec)) {
        ResourceRequirements user = overrides.containerResources.get(c.getName());
        if (user != null) {
          c.setResources(mergeResources(c.getResources(), user));
        }
      }
    }
    if (worker != null && overrides.resources != null) {
      worker.setResources(mergeResources(worker.getResources(), overrides.resources));
    }
  }

  private static List<Container> all(io.fabric8.kubernetes.api.model.PodSpec spec) {
    List<Container> out = new ArrayList<>();
    if (spec.getInitContainers() != null) {
      out.addAll(spec.getInitContainers());
    }
    out.addAll(spec.getContainers());
    return out;
  }

  /**
   * The operator's resources with the {@code user}'s entries over them, except the GPU entries: CPU
   * and memory defaults yield to what the user gives, the GPU count always comes from the workload.
   * A memory or CPU request the user's limit undercuts is lowered to the limit, and a default limit
   * below the user's request is raised to it, so the result is always valid.
   */
  static ResourceRequirements mergeResources(
      ResourceRequirements operator, ResourceRequirements user) {
    Map<String, Quantity> requests = new LinkedHashMap<>();
    Map<String, Quantity> limits = new LinkedHashMap<>();
    if (operator != null) {
      putAll(requests, operator.getRequests());
      putAll(limits, operator.getLimits());
    }
    putAll(requests, user.getRequests());
    putAll(limits, user.getLimits());
    if (operator != null) {
      putAll(requests, fixed(operator.getRequests()));
      putAll(limits, fixed(operator.getLimits()));
    }
    for (String key : List.of("cpu", "memory")) {
      Quantity request = requests.get(key);
      Quantity limit = limits.get(key);
      if (request == null || limit == null || compare(request, limit) <= 0) {
        continue;
      }
      boolean userLimit = user.getLimits() != null && user.getLimits().containsKey(key);
      if (userLimit) {
        requests.put(key, limit);
      } else {
        limits.put(key, request);
      }
    }
    return new ResourceRequirementsBuilder()
        .withRequests(requests.isEmpty() ? null : requests)
        .withLimits(limits.isEmpty() ? null : limits)
        .build();
  }

  /** The entries the workload fixes: everything but CPU and memory (the GPUs). */
  private static Map<String, Quantity> fixed(Map<String, Quantity> operator) {
    Map<String, Quantity> out = new LinkedHashMap<>();
    if (operator != null) {
      operator.forEach(
          (k, v) -> {
            if (!k.equals("cpu") && !k.equals("memory")) {
              out.put(k, v);
            }
          });
    }
    return out;
  }

  private static void putAll(Map<String, Quantity> into, Map<String, Quantity> from) {
    if (from != null) {
      into.putAll(from);
    }
  }

  private static int compare(Quantity a, Quantity b) {
    return Quantity.getAmountInBytes(a).compareTo(Quantity.getAmountInBytes(b));
  }

  private static Map<String, String> merged(Map<String, String> user, Map<String, String> own) {
    Map<String, String> out = new LinkedHashMap<>();
    if (user != null) {
      out.putAll(user);
    }
    if (own != null) {
      out.putAll(own);
    }
    return out.isEmpty() ? null : out;
  }
}
