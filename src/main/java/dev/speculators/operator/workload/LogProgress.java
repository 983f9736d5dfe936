package dev.speculators.operator.workload;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.io.ProgressLine;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Live progress of a running worker from the {@code PROGRESS {json}} lines in its log: the tail of
 * the log (a bounded number of lines and bytes) is read at most once per interval per resource, and
 * the newest line is kept between reads. Needs {@code get} on {@code pods/log}.
 */
public final class LogProgress {
  private static final Logger LOG = Logger.getLogger(LogProgress.class);
  private static final int TAIL_LINES = 200;
  private static final int LIMIT_BYTES = 64 * 1024;

  private record Read(Instant at, Optional<ObjectNode> progress) {}

  private final KubernetesClient client;
  private final Duration interval;
  private final Clock clock;
  private final Map<String, Read> last = new ConcurrentHashMap<>();

  public LogProgress(KubernetesClient client, Duration interval, Clock clock) {
    this.client = client;
    this.interval = interval;
    this.clock = clock;
  }

  /** True when log reading is switched on. */
  public boolean enabled() {
    return !interval.isZero() && !interval.isNegative();
  }

  /** How long until the next read is due. */
  public Duration interval() {
    return interval;
  }

  /**
   * The newest progress object of {@code container} in {@code pod}: read from the log if the last
   * read for {@code key} (the resource's uid) is older than the interval, else the kept one.
   */
  public Optional<ObjectNode> latest(String key, Pod pod, String container) {
    if (!enabled()) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    Read previous = last.get(key);
    if (previous != null && Duration.between(previous.at(), now).compareTo(interval) < 0) {
      return previous.progress();
    }
    Optional<ObjectNode> progress = previous == null ? Optional.empty() : previous.progress();
    try {
      String tail =
          client
              .pods()
              .inNamespace(pod.getMetadata().getNamespace())
              .withName(pod.getMetadata().getName())
              .inContainer(container)
              .limitBytes(LIMIT_BYTES)
              .tailingLines(TAIL_LINES)
              .getLog();
      if (tail != null) {
        Optional<ObjectNode> read = ProgressLine.latest(tail);
        if (read.isPresent()) {
          progress = read;
        }
      }
    } catch (KubernetesClientException e) {
      LOG.debugf("no log of %s/%s: %s", pod.getMetadata().getName(), container, e.getMessage());
    }
    last.put(key, new Read(now, progress));
    return progress;
  }

  /** Forgets what was kept for {@code key} (the resource is gone or finished). */
  public void forget(String key) {
    last.remove(key);
  }

  /** Forgets what was kept for every key starting with {@code prefix}. */
  public void forgetAll(String prefix) {
    last.keySet().removeIf(k -> k.startsWith(prefix));
  }
}
