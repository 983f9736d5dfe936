package dev.speculators.operator.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The JSON summaries workers leave in their termination message ({@code /dev/termination-log}).
 * With {@code FallbackToLogsOnError} a container that crashed before writing one leaves the tail of
 * its log instead, which is returned as text.
 */
public final class TerminationMessages {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TerminationMessages() {}

  /** The terminated state of {@code container} in {@code pod}, if it has ended. */
  public static Optional<ContainerStateTerminated> terminated(Pod pod, String container) {
    return status(pod, container)
        .map(
            s ->
                s.getState() != null && s.getState().getTerminated() != null
                    ? s.getState().getTerminated()
                    : s.getLastState() != null ? s.getLastState().getTerminated() : null);
  }

  /** The status of a container (regular or init) of {@code pod}. */
  public static Optional<ContainerStatus> status(Pod pod, String container) {
    if (pod.getStatus() == null) {
      return Optional.empty();
    }
    for (List<ContainerStatus> list :
        List.of(
            nn(pod.getStatus().getContainerStatuses()),
            nn(pod.getStatus().getInitContainerStatuses()))) {
      for (ContainerStatus s : list) {
        if (container.equals(s.getName())) {
          return Optional.of(s);
        }
      }
    }
    return Optional.empty();
  }

  /** The container's summary as a JSON object, if its termination message is one. */
  public static Optional<ObjectNode> summary(Pod pod, String container) {
    return terminated(pod, container).flatMap(t -> parse(t.getMessage()));
  }

  /** A termination message as a JSON object, if it is one. */
  public static Optional<ObjectNode> parse(String message) {
    if (message == null || message.isBlank() || !message.trim().startsWith("{")) {
      return Optional.empty();
    }
    try {
      JsonNode n = JSON.readTree(message.trim());
      return n instanceof ObjectNode o ? Optional.of(o) : Optional.empty();
    } catch (java.io.IOException e) {
      return Optional.empty();
    }
  }

  private static <T> List<T> nn(List<T> list) {
    return list == null ? List.of() : list;
  }

  /** A number field of a summary, or null when absent or not a number. */
  public static Double number(JsonNode summary, String field) {
    JsonNode n = summary.get(field);
    return n == null || !n.isNumber() ? null : n.asDouble();
  }

  /** An integer field of a summary, or null when absent or not a number. */
  public static Long integer(JsonNode summary, String field) {
    JsonNode n = summary.get(field);
    return n == null || !n.isNumber() ? null : n.asLong();
  }

  /** A list of numbers, or null when {@code n} is not an array. */
  public static List<Double> numbers(JsonNode n) {
    if (n == null || !n.isArray()) {
      return null;
    }
    List<Double> out = new ArrayList<>();
    n.forEach(x -> out.add(x.asDouble()));
    return out;
  }
}
