package dev.speculators.install;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.speculators.api.validation.ResourceDocuments;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The install manifests ({@code kubectl apply -k manifests/}): every file parses into the
 * Kubernetes types without unknown fields, the kustomization lists only existing files, the
 * operator pod meets the restricted security profile, and the RBAC grants what the operator uses
 * and nothing more.
 */
class ManifestsTest {
  private static final Path MANIFESTS = Path.of("manifests");
  private static final String NAMESPACE = "speculators-system";
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final List<HasMetadata> OBJECTS = new ArrayList<>();

  @BeforeAll
  static void load() throws IOException {
    for (String file : kustomizationResources(MANIFESTS)) {
      Path p = MANIFESTS.resolve(file);
      if (Files.isDirectory(p)) {
        continue; // ../crds: checked by CrdSyncTest
      }
      for (ResourceDocuments.Document d : ResourceDocuments.read(p)) {
        OBJECTS.add(SERIALIZATION.convertValue(d.node(), HasMetadata.class));
      }
    }
  }

  @Test
  void kustomizationListsExistingFilesAndEveryManifest() throws IOException {
    List<String> listed = kustomizationResources(MANIFESTS);
    for (String r : listed) {
      Path p = MANIFESTS.resolve(r);
      assertThat(p).as(r).exists();
      if (Files.isDirectory(p)) {
        assertThat(p.resolve("kustomization.yaml")).exists();
        for (String inner : kustomizationResources(p)) {
          assertThat(p.resolve(inner)).as(r + "/" + inner).exists();
        }
      }
    }
    assertThat(listed).contains("../crds");
    try (var files = Files.list(MANIFESTS)) {
      Set<String> yamls =
          files
              .map(f -> f.getFileName().toString())
              .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
              .collect(Collectors.toSet());
      assertThat(listed).containsAll(yamls);
    }
  }

  @Test
  void everyManifestIsAKnownTypeWithoutUnknownFields() {
    assertThat(OBJECTS).isNotEmpty();
    for (HasMetadata o : OBJECTS) {
      assertThat(o.getClass().getPackageName())
          .as(o.getKind())
          .startsWith("io.fabric8.kubernetes.api.model");
      List<String> unknown = new ArrayList<>();
      findAdditionalProperties(
          o, o.getKind() + "/" + o.getMetadata().getName(), unknown, new IdentityHashMap<>());
      assertThat(unknown).as("fields Kubernetes does not know").isEmpty();
      if (!(o instanceof ClusterRole
          || o instanceof ClusterRoleBinding
          || o.getKind().equals("Namespace"))) {
        assertThat(o.getMetadata().getNamespace()).as(o.getKind()).isEqualTo(NAMESPACE);
      }
    }
  }

  @Test
  void operatorPodIsRestricted() {
    Deployment d = one(Deployment.class);
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    assertThat(pod.getServiceAccountName())
        .isEqualTo(one(ServiceAccount.class).getMetadata().getName());
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    Container c = pod.getContainers().get(0);
    assertThat(c.getArgs()).containsExactly("operator");
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(c.getSecurityContext().getPrivileged()).isNotEqualTo(Boolean.TRUE);
    // a writable /tmp on an emptyDir
    assertThat(c.getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getMountPath()).isEqualTo("/tmp");
              assertThat(pod.getVolumes())
                  .anySatisfy(
                      v -> {
                        assertThat(v.getName()).isEqualTo(m.getName());
                        assertThat(v.getEmptyDir()).isNotNull();
                      });
            });
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
    assertThat(c.getResources().getLimits()).containsKey("memory");
    Map<String, EnvVar> env =
        c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
    assertThat(env)
        .containsKeys(
            "SPECULATORS_WORKER_IMAGE",
            "SPECULATORS_TRAINER_IMAGE",
            "SPECULATORS_EVAL_IMAGE",
            "SPECULATORS_VLLM_IMAGE",
            "POD_NAME");
    assertThat(env.get("POD_NAME").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.name");
  }

  @Test
  void metricsServiceSelectsTheOperatorPods() {
    Service s = one(Service.class);
    Deployment d = one(Deployment.class);
    assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(s.getSpec().getSelector());
    assertThat(s.getSpec().getPorts().get(0).getTargetPort().getStrVal()).isEqualTo("http");
  }

  @Test
  void clusterRoleGrantsWhatTheOperatorUsesAndNoMore() {
    ClusterRole role = one(ClusterRole.class);
    List<PolicyRule> rules = role.getRules();
    for (String plural : List.of("hiddenstatedatasets", "speculatortrainings", "speculatorevals")) {
      assertGrants(rules, "speculators.dev", plural, "get", "list", "watch", "create");
      assertGrants(rules, "speculators.dev", plural + "/status", "get", "patch", "update");
      assertGrants(rules, "speculators.dev", plural + "/finalizers", "update");
    }
    assertGrants(rules, "batch", "jobs", "get", "list", "watch", "create");
    assertGrants(rules, "", "pods", "get", "list", "watch");
    assertGrants(rules, "", "pods/log", "get");
    assertGrants(rules, "", "configmaps", "get", "list", "watch", "create");
    assertGrants(rules, "", "persistentvolumeclaims", "get", "list", "watch", "create");
    assertGrants(rules, "", "events", "create", "patch", "list");
    // the operator deletes nothing itself: owner references let the garbage collector do it
    assertThat(verbs(rules, "", "persistentvolumeclaims"))
        .doesNotContain("delete", "update", "patch");
    assertThat(verbs(rules, "batch", "jobs")).doesNotContain("delete");
    for (PolicyRule r : rules) {
      assertThat(r.getVerbs()).doesNotContain("*");
      assertThat(r.getResources()).doesNotContain("*", "secrets", "customresourcedefinitions");
      assertThat(r.getApiGroups()).doesNotContain("*");
    }
    assertThat(verbs(rules, "", "pods")).doesNotContain("create", "delete", "update", "patch");
    assertThat(verbs(rules, "batch", "jobs")).doesNotContain("update", "patch");

    ClusterRoleBinding binding = one(ClusterRoleBinding.class);
    assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
    assertThat(binding.getSubjects())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getName()).isEqualTo(one(ServiceAccount.class).getMetadata().getName());
              assertThat(s.getNamespace()).isEqualTo(NAMESPACE);
            });
  }

  @Test
  void leasesOnlyInTheOperatorNamespace() {
    Role role = one(Role.class);
    assertThat(role.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
    assertGrants(role.getRules(), "coordination.k8s.io", "leases", "get", "create", "update");
    assertThat(verbs(one(ClusterRole.class).getRules(), "coordination.k8s.io", "leases")).isEmpty();
    RoleBinding binding = one(RoleBinding.class);
    assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
  }

  private static void assertGrants(
      List<PolicyRule> rules, String group, String resource, String... verbs) {
    assertThat(verbs(rules, group, resource)).as("%s %s", group, resource).contains(verbs);
  }

  private static Set<String> verbs(List<PolicyRule> rules, String group, String resource) {
    return rules.stream()
        .filter(r -> r.getApiGroups().contains(group) && r.getResources().contains(resource))
        .flatMap(r -> r.getVerbs().stream())
        .collect(Collectors.toSet());
  }

  private static <T extends HasMetadata> T one(Class<T> type) {
    List<T> found = OBJECTS.stream().filter(type::isInstance).map(type::cast).toList();
    assertThat(found).as(type.getSimpleName()).hasSize(1);
    return found.get(0);
  }

  static List<String> kustomizationResources(Path dir) throws IOException {
    JsonNode k = ResourceDocuments.read(dir.resolve("kustomization.yaml")).get(0).node();
    List<String> out = new ArrayList<>();
    k.path("resources").forEach(r -> out.add(r.asText()));
    return out;
  }

  /** Reports every non-empty additionalProperties map: fields the model does not declare. */
  static void findAdditionalProperties(
      Object o, String path, List<String> out, IdentityHashMap<Object, Boolean> seen) {
    if (o == null
        || seen.put(o, true) != null
        || o instanceof String
        || o instanceof Number
        || o instanceof Boolean
        || o instanceof Enum<?>) {
      return;
    }
    if (o instanceof Map<?, ?> m) {
      m.forEach((k, v) -> findAdditionalProperties(v, path + "[" + k + "]", out, seen));
      return;
    }
    if (o instanceof Collection<?> c) {
      int i = 0;
      for (Object v : c) {
        findAdditionalProperties(v, path + "[" + i++ + "]", out, seen);
      }
      return;
    }
    if (!o.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method m : o.getClass().getMethods()) {
      if (m.getParameterCount() != 0
          || !m.getName().startsWith("get")
          || m.getDeclaringClass() == Object.class) {
        continue;
      }
      try {
        Object v = m.invoke(o);
        if (m.getName().equals("getAdditionalProperties")) {
          if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
            out.add(path + ": " + extra.keySet());
          }
        } else {
          findAdditionalProperties(v, path + "." + m.getName().substring(3), out, seen);
        }
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
