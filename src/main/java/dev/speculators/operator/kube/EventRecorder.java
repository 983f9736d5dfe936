package dev.speculators.operator.kube;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Writes core/v1 Events about a resource, shown by {@code kubectl describe} and {@code kubectl get
 * events}. An event that cannot be written is logged, never fatal: events are a courtesy, the
 * status is the record.
 */
public final class EventRecorder {
  private static final Logger LOG = Logger.getLogger(EventRecorder.class);

  /** The {@code source.component} of the events. */
  public static final String COMPONENT = "speculators-operator";

  private static final AtomicLong SEQUENCE = new AtomicLong();

  private final KubernetesClient client;

  public EventRecorder(KubernetesClient client) {
    this.client = client;
  }

  /** One note about {@code subject}: type Normal or Warning, a CamelCase reason and a message. */
  public record Note(String type, String reason, String message) {
    public static Note normal(String reason, String message) {
      return new Note("Normal", reason, message);
    }

    public static Note warning(String reason, String message) {
      return new Note("Warning", reason, message);
    }
  }

  /** Records {@code note} as an Event about {@code subject}. */
  public void record(HasMetadata subject, Note note) {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    String name =
        subject.getMetadata().getName()
            + "."
            + Long.toHexString(System.currentTimeMillis()).toLowerCase(Locale.ROOT)
            + Long.toHexString(SEQUENCE.incrementAndGet() & 0xfff);
    Event event =
        new EventBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(subject.getMetadata().getNamespace())
            .endMetadata()
            .withInvolvedObject(
                new ObjectReferenceBuilder()
                    .withApiVersion(subject.getApiVersion())
                    .withKind(subject.getKind())
                    .withName(subject.getMetadata().getName())
                    .withNamespace(subject.getMetadata().getNamespace())
                    .withUid(subject.getMetadata().getUid())
                    .withResourceVersion(subject.getMetadata().getResourceVersion())
                    .build())
            .withType(note.type())
            .withReason(note.reason())
            .withMessage(truncate(note.message(), 1024))
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .withNewSource()
            .withComponent(COMPONENT)
            .endSource()
            .withReportingComponent(COMPONENT)
            .build();
    try {
      client.v1().events().resource(event).create();
    } catch (KubernetesClientException e) {
      LOG.warnf(
          "could not record event %s on %s/%s: %s",
          note.reason(),
          subject.getMetadata().getNamespace(),
          subject.getMetadata().getName(),
          e.getMessage());
    }
  }

  private static String truncate(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max - 3) + "...";
  }
}
