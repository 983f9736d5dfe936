package dev.speculators.operator.testing;

import dev.speculators.api.common.ResourceStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/** Reads and waits on the resources of one test namespace. */
public final class Cluster {
  public final KubernetesClient client;
  public final String namespace;
  public final ClusterSim sim;

  public Cluster(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
    this.sim = new ClusterSim(client);
  }

  public <T extends CustomResource<?, ?>> T get(Class<T> type, String name) {
    return client.resources(type).inNamespace(namespace).withName(name).get();
  }

  /** Waits until the resource exists and {@code until} holds for it. */
  public <T extends CustomResource<?, ?>> T await(Class<T> type, String name, Predicate<T> until) {
    try {
      return org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> get(type, name), r -> r != null && until.test(r));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      T last = get(type, name);
      throw new AssertionError(
          "timed out waiting for "
              + type.getSimpleName()
              + " "
              + name
              + "; last status: "
              + (last == null
                  ? "(gone)"
                  : client.getKubernetesSerialization().asJson(last.getStatus())),
          e);
    }
  }

  /** Waits until the resource's Ready condition has {@code reason}. */
  public <S extends ResourceStatus, T extends CustomResource<?, S>> T awaitReason(
      Class<T> type, String name, String reason) {
    return await(
        type,
        name,
        r ->
            r.getStatus() != null
                && r.getStatus()
                    .condition("Ready")
                    .map(c -> reason.equals(c.getReason()))
                    .orElse(false));
  }

  /** The value of a condition. */
  public static String condition(ResourceStatus status, String type) {
    return status.condition(type).map(Condition::getStatus).orElse(null);
  }

  /** Events about the named object, oldest first. */
  public List<Event> events(String involvedName) {
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(
            e ->
                e.getInvolvedObject() != null
                    && involvedName.equals(e.getInvolvedObject().getName())
                    && "speculators-operator".equals(e.getReportingComponent()))
        .toList();
  }

  /** Waits until an event with {@code reason} about the object exists. */
  public Event awaitEvent(String involvedName, String reason) {
    return org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                events(involvedName).stream()
                    .filter(e -> reason.equals(e.getReason()))
                    .findFirst()
                    .orElse(null),
            e -> e != null);
  }
}
