package dev.speculators.operator.workload;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The pods of a finished Job as the planners need them. The informer caches of Jobs and Pods are
 * fed by independent watches, so the cache may hold a Job's completion while its pods still show
 * them running: when a finished Job's summaries (or, for a failed Job, its pods' failure) are not
 * in the cache, its pods are read from the API server, whose copies win over the cached ones.
 */
public final class FinishedPods {
  /** The label the Job controller puts on its pods. */
  public static final String JOB_NAME_LABEL = "batch.kubernetes.io/job-name";

  private FinishedPods() {}

  /**
   * What a workload's summaries look like.
   *
   * @param worker the worker container
   * @param kind the summary's {@code kind}
   * @param indexed true for an Indexed Job
   * @param completions its completions
   */
  public record Shape(String worker, String kind, boolean indexed, int completions) {}

  /**
   * {@code cached}, completed from the API server when {@code job} finished and the cache lacks
   * what the planner reads of it. An API error propagates: the reconciliation is retried rather
   * than deciding that a summary is lost.
   */
  public static List<Pod> of(
      KubernetesClient client, Optional<Job> job, List<Pod> cached, Shape shape, Instant now) {
    if (job.isEmpty() || !needsServer(JobState.of(job.get()), cached, shape, now)) {
      return cached;
    }
    return merge(cached, fromServer(client, job.get()));
  }

  /** True when the cached pods lack a finished Job's summaries or failure. */
  static boolean needsServer(JobState job, List<Pod> cached, Shape shape, Instant now) {
    return switch (job.phase()) {
      case SUCCEEDED -> !WorkerSummaries.of(job, cached, shape, now).complete();
      case FAILED -> PodFailures.newest(cached, shape.worker()).isEmpty();
      default -> false;
    };
  }

  /** The Job's pods on the API server (those its controller created, by owner uid). */
  public static List<Pod> fromServer(KubernetesClient client, Job job) {
    String uid = job.getMetadata().getUid();
    return client
        .pods()
        .inNamespace(job.getMetadata().getNamespace())
        .withLabel(JOB_NAME_LABEL, job.getMetadata().getName())
        .list()
        .getItems()
        .stream()
        .filter(p -> uid == null || ownedBy(p, uid))
        .toList();
  }

  /** The union by name; the API server's copy of a pod wins over the cached one. */
  static List<Pod> merge(List<Pod> cached, List<Pod> server) {
    Map<String, Pod> byName = new LinkedHashMap<>();
    cached.forEach(p -> byName.put(p.getMetadata().getName(), p));
    server.forEach(p -> byName.put(p.getMetadata().getName(), p));
    return new ArrayList<>(byName.values());
  }

  private static boolean ownedBy(Pod pod, String uid) {
    List<OwnerReference> refs = pod.getMetadata().getOwnerReferences();
    return refs != null && refs.stream().anyMatch(r -> uid.equals(r.getUid()));
  }
}
