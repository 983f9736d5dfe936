package dev.speculators.operator.workload;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.io.TerminationLog;
import dev.speculators.operator.status.Outcome;
import dev.speculators.operator.status.Reason;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The summaries a succeeded Job's workers left in their termination messages, one per completion
 * (per shard of an Indexed Job, one for a single-pod Job). A Job's completion and its pods' final
 * states reach the operator through independent watches, so a completion may be seen before the pod
 * that carries its summary: such a completion is {@link State#PENDING}, and the resource is not
 * final until it is read. A summary that can never be read (the pod was deleted, or its message is
 * empty, truncated or not JSON) is {@link State#LOST}, with the reason.
 */
public final class WorkerSummaries {
  /** The kubelet keeps at most this many bytes of a container's termination message. */
  public static final int TERMINATION_MESSAGE_LIMIT = TerminationLog.MAX_BYTES;

  /**
   * How long after the Job's completion a pod that has not reported its worker's exit is waited
   * for. The Job controller counts a pod as succeeded only once the API server has its final state,
   * so a longer wait means the pod's state is not coming (its node is gone).
   */
  public static final Duration PENDING_GRACE = Duration.ofMinutes(2);

  private static final String INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index";

  /** Where the summary of one completion is. */
  public enum State {
    /** Read. */
    FOUND,
    /** Its pod has not reported the worker's exit yet: wait. */
    PENDING,
    /** It cannot be read any more. */
    LOST
  }

  /**
   * The summary of one completion.
   *
   * @param index the completion index (0 for a single-pod Job)
   * @param state found, pending or lost
   * @param summary the summary when found
   * @param pod the pod it comes from (or is expected from), or null when there is none
   * @param problem why it is pending or lost, for status messages
   */
  public record Completion(
      int index, State state, ObjectNode summary, String pod, String problem) {}

  /**
   * The summaries of a Job's completions.
   *
   * @param completions by completion index
   */
  public record Read(Map<Integer, Completion> completions) {
    /** The summaries read, by completion index. */
    public Map<Integer, ObjectNode> found() {
      Map<Integer, ObjectNode> out = new TreeMap<>();
      completions.forEach(
          (i, c) -> {
            if (c.state() == State.FOUND) {
              out.put(i, c.summary());
            }
          });
      return out;
    }

    /** The one summary of a single-pod Job, if read. */
    public Optional<ObjectNode> single() {
      return found().values().stream().findFirst();
    }

    /** True while a completion's summary may still arrive. */
    public boolean pending() {
      return completions.values().stream().anyMatch(c -> c.state() == State.PENDING);
    }

    /** True when every completion's summary was read. */
    public boolean complete() {
      return completions.values().stream().allMatch(c -> c.state() == State.FOUND);
    }

    /** The completions in {@code state}. */
    public List<Completion> in(State state) {
      return completions.values().stream().filter(c -> c.state() == state).toList();
    }

    /**
     * The outcome while summaries are still on their way: the Job succeeded, the resource waits.
     *
     * @param jobName the Job's name
     * @param what what is awaited, e.g. "the trainer's summary"
     */
    public Outcome collecting(String jobName, String what) {
      return Outcome.of(
          Reason.CollectingResults,
          "Job " + jobName + " succeeded; waiting for " + what + ": " + describe(State.PENDING));
    }

    /** What is missing, one clause per completion, e.g. for a status message. */
    public String describe(State state) {
      List<String> parts = new ArrayList<>();
      for (Completion c : in(state)) {
        parts.add(c.problem());
      }
      return String.join("; ", parts);
    }
  }

  private WorkerSummaries() {}

  /** The summaries of a Job's workers of {@code shape}. */
  public static Read of(JobState job, List<Pod> pods, FinishedPods.Shape shape, Instant now) {
    return of(job, pods, shape.worker(), shape.kind(), shape.indexed(), shape.completions(), now);
  }

  /**
   * The summaries of a succeeded Job's completions.
   *
   * @param job the Job's state
   * @param pods its pods (from the cache, completed from the API server where it lacked them)
   * @param worker the worker container
   * @param kind the summary's {@code kind} ({@code datagen}, {@code train}, {@code eval})
   * @param indexed true for an Indexed Job (one completion per index)
   * @param completions the Job's completions (shards), for a cluster without {@code
   *     completedIndexes}
   * @param now the time, to stop waiting {@link #PENDING_GRACE} after the Job completed
   */
  public static Read of(
      JobState job,
      List<Pod> pods,
      String worker,
      String kind,
      boolean indexed,
      int completions,
      Instant now) {
    boolean overdue = overdue(job, now);
    Map<Integer, Completion> out = new TreeMap<>();
    for (int index : expected(job, indexed, completions)) {
      List<Pod> candidates =
          pods.stream()
              .filter(p -> !indexed || Integer.valueOf(index).equals(index(p)))
              .sorted(Comparator.comparing(PodDiagnosis::created).reversed())
              .toList();
      Completion c = completion(index, candidates, worker, kind, indexed);
      if (c.state() == State.PENDING && overdue) {
        c =
            new Completion(
                index,
                State.LOST,
                null,
                c.pod(),
                c.problem() + " " + PENDING_GRACE.toMinutes() + " min after the Job completed");
      }
      out.put(index, c);
    }
    return new Read(out);
  }

  /** The completion index of a pod of an Indexed Job, or null. */
  public static Integer index(Pod p) {
    Map<String, String> a = p.getMetadata().getAnnotations();
    String v = a == null ? null : a.get(INDEX_ANNOTATION);
    try {
      return v == null ? null : Integer.parseInt(v);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Completion completion(
      int index, List<Pod> candidates, String worker, String kind, boolean indexed) {
    String what = indexed ? "shard " + index + ": " : "";
    Pod waiting = null;
    for (Pod pod : candidates) {
      String name = pod.getMetadata().getName();
      Optional<ContainerStateTerminated> t = TerminationMessages.terminated(pod, worker);
      if (t.isPresent() && Integer.valueOf(0).equals(t.get().getExitCode())) {
        String message = t.get().getMessage();
        Optional<ObjectNode> summary =
            TerminationMessages.parse(message).filter(s -> kind.equals(s.path("kind").asText()));
        if (summary.isPresent() && summary.get().path("truncated").asBoolean(false)) {
          // the worker's own stand-in for a summary larger than a termination message holds
          return new Completion(
              index,
              State.LOST,
              null,
              name,
              what
                  + "pod "
                  + name
                  + " had a summary of "
                  + summary.get().path("bytes").asLong()
                  + " bytes, more than the "
                  + TERMINATION_MESSAGE_LIMIT
                  + " a termination message holds");
        }
        if (summary.isPresent()) {
          return new Completion(index, State.FOUND, summary.get(), name, null);
        }
        return new Completion(index, State.LOST, null, name, what + unreadable(name, message));
      }
      boolean failed = t.isPresent() || "Failed".equals(phase(pod));
      if (!failed && waiting == null) {
        waiting = pod;
      }
    }
    if (waiting != null) {
      return new Completion(
          index,
          State.PENDING,
          null,
          waiting.getMetadata().getName(),
          what
              + "pod "
              + waiting.getMetadata().getName()
              + " has not reported the exit of its "
              + worker
              + " container yet");
    }
    return new Completion(
        index,
        State.LOST,
        null,
        null,
        what + "the pod that succeeded was deleted before its summary was read");
  }

  private static String unreadable(String pod, String message) {
    if (message == null || message.isBlank()) {
      return "pod " + pod + " succeeded with an empty termination message";
    }
    int bytes = message.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    if (message.trim().startsWith("{") && bytes >= TERMINATION_MESSAGE_LIMIT - 16) {
      return "pod "
          + pod
          + " left a truncated termination message ("
          + bytes
          + " bytes; the kubelet keeps "
          + TERMINATION_MESSAGE_LIMIT
          + ")";
    }
    return "pod "
        + pod
        + " left a termination message that is not its summary: "
        + PodDiagnosis.tail(message, 200);
  }

  private static String phase(Pod pod) {
    return pod.getStatus() == null ? null : pod.getStatus().getPhase();
  }

  /** The completions a succeeded Job has: its completed indexes, or all of them. */
  private static List<Integer> expected(JobState job, boolean indexed, int completions) {
    if (!indexed) {
      return List.of(0);
    }
    TreeSet<Integer> out = new TreeSet<>();
    if (job.completedIndexes() != null && !job.completedIndexes().isBlank()) {
      for (int i = 0; i < Math.max(completions, 0); i++) {
        if (Indexes.contains(job.completedIndexes(), i)) {
          out.add(i);
        }
      }
    } else {
      for (int i = 0; i < completions; i++) {
        out.add(i);
      }
    }
    return List.copyOf(out);
  }

  private static boolean overdue(JobState job, Instant now) {
    if (job.completionTime() == null) {
      return false;
    }
    try {
      return Instant.parse(job.completionTime()).plus(PENDING_GRACE).isBefore(now);
    } catch (DateTimeParseException e) {
      return false;
    }
  }
}
