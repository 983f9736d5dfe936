package dev.speculators.operator.pods;

import dev.speculators.api.common.PodOverrides;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges a resource's {@code podTemplate} overrides into a pod template the operator built:
 * scheduling (node selector, tolerations, affinity, priority class), pull secrets, service account,
 * extra labels and annotations, and the worker container's extra env and resources. The operator's
 * own labels and annotations win over user ones (the API rejects the reserved prefix anyway).
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
    if (worker != null && overrides.resources != null) {
      worker.setResources(mergeResources(worker.getResources(), overrides.resources));
    }
  }

  /**
   * {@code user} resources with the operator's entries (GPUs) kept: the GPU count comes from the
   * workload, never from the overrides.
   */
  static ResourceRequirements mergeResources(
      ResourceRequirements operator, ResourceRequirements user) {
    ResourceRequirementsBuilder out = new ResourceRequirementsBuilder(user);
    if (operator != null) {
      if (operator.getRequests() != null) {
        operator.getRequests().forEach(out::addToRequests);
      }
      if (operator.getLimits() != null) {
        operator.getLimits().forEach(out::addToLimits);
      }
    }
    return out.build();
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
