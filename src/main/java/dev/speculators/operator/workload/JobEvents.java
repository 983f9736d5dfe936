package dev.speculators.operator.workload;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Comparator;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Reads the Job controller's {@code FailedCreate} events of a Job: the only place where a pod that
 * could not be created (exceeded quota, an admission webhook, pod security) shows up. Read only
 * while a Job has no pods, so the cost is bounded.
 */
public final class JobEvents {
  private static final Logger LOG = Logger.getLogger(JobEvents.class);

  private JobEvents() {}

  /** The message of the newest FailedCreate event of {@code job}, if any. */
  public static Optional<String> failedCreate(KubernetesClient client, Job job) {
    try {
      return client
          .v1()
          .events()
          .inNamespace(job.getMetadata().getNamespace())
          .withField("involvedObject.name", job.getMetadata().getName())
          .list()
          .getItems()
          .stream()
          .filter(
              e ->
                  e.getInvolvedObject() != null
                      && "Job".equals(e.getInvolvedObject().getKind())
                      && job.getMetadata().getName().equals(e.getInvolvedObject().getName())
                      && (job.getMetadata().getUid() == null
                          || e.getInvolvedObject().getUid() == null
                          || job.getMetadata().getUid().equals(e.getInvolvedObject().getUid()))
                      && "FailedCreate".equals(e.getReason()))
          .max(Comparator.comparing(JobEvents::time))
          .map(Event::getMessage);
    } catch (KubernetesClientException e) {
      LOG.debugf("cannot read events of Job %s: %s", job.getMetadata().getName(), e.getMessage());
      return Optional.empty();
    }
  }

  private static String time(Event e) {
    String t = e.getLastTimestamp() != null ? e.getLastTimestamp() : e.getFirstTimestamp();
    return t == null ? "" : t;
  }
}
