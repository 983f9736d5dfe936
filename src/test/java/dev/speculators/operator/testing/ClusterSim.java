package dev.speculators.operator.testing;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * Plays the parts of a cluster the mock API server lacks, for operator tests: the Job controller
 * (pods for a Job, its status and conditions) and the kubelet (pod phases, container states,
 * termination messages, scheduling trouble).
 */
public final class ClusterSim {
  private static final AtomicLong SEQ = new AtomicLong();

  /** Pod annotation of the completion index. */
  public static final String INDEX = "batch.kubernetes.io/job-completion-index";

  private final KubernetesClient client;

  public ClusterSim(KubernetesClient client) {
    this.client = client;
  }

  /** Waits until the Job exists and returns it. */
  public Job awaitJob(String namespace, String name) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> client.batch().v1().jobs().inNamespace(namespace).withName(name).get(),
            j -> j != null);
  }

  public Job job(String namespace, String name) {
    return client.batch().v1().jobs().inNamespace(namespace).withName(name).get();
  }

  /**
   * Creates a pod of {@code job} (index {@code index} for an Indexed Job, else null) in phase
   * Pending.
   */
  public Pod createPod(Job job, Integer index) {
    var template = job.getSpec().getTemplate();
    Map<String, String> labels = new LinkedHashMap<>(template.getMetadata().getLabels());
    labels.put("batch.kubernetes.io/job-name", job.getMetadata().getName());
    Map<String, String> annotations =
        new LinkedHashMap<>(
            template.getMetadata().getAnnotations() == null
                ? Map.of()
                : template.getMetadata().getAnnotations());
    if (index != null) {
      annotations.put(INDEX, Integer.toString(index));
    }
    String name =
        job.getMetadata().getName()
            + (index != null ? "-" + index : "")
            + "-"
            + SEQ.incrementAndGet();
    Pod pod =
        new PodBuilder()
            .withMetadata(
                new ObjectMetaBuilder()
                    .withName(name)
                    .withNamespace(job.getMetadata().getNamespace())
                    .withLabels(labels)
                    .withAnnotations(annotations)
                    .withCreationTimestamp(now())
                    .withOwnerReferences(
                        new OwnerReferenceBuilder()
                            .withApiVersion("batch/v1")
                            .withKind("Job")
                            .withName(job.getMetadata().getName())
                            .withUid(job.getMetadata().getUid())
                            .withController(true)
                            .build())
                    .build())
            .withSpec(template.getSpec())
            .withNewStatus()
            .withPhase("Pending")
            .endStatus()
            .build();
    return client.pods().resource(pod).create();
  }

  /** The pods of a Job. */
  public List<Pod> pods(Job job) {
    return client
        .pods()
        .inNamespace(job.getMetadata().getNamespace())
        .withLabel("batch.kubernetes.io/job-name", job.getMetadata().getName())
        .list()
        .getItems();
  }

  /** Edits a pod's status. */
  public Pod editPod(Pod pod, UnaryOperator<Pod> edit) {
    Pod current =
        client
            .pods()
            .inNamespace(pod.getMetadata().getNamespace())
            .withName(pod.getMetadata().getName())
            .get();
    Pod edited = edit.apply(current);
    return client.pods().resource(edited).updateStatus();
  }

  /** Edits a Job's status. */
  public Job editJob(Job job, UnaryOperator<JobStatus> edit) {
    return client
        .batch()
        .v1()
        .jobs()
        .inNamespace(job.getMetadata().getNamespace())
        .withName(job.getMetadata().getName())
        .editStatus(
            j -> {
              JobStatus s = j.getStatus() == null ? new JobStatus() : j.getStatus();
              j.setStatus(edit.apply(s));
              return j;
            });
  }

  /** Starts all pods of a Job: each index (or the one pod) is created and its worker runs. */
  public List<Pod> start(Job job) {
    int n = job.getSpec().getCompletions() == null ? 1 : job.getSpec().getCompletions();
    boolean indexed = "Indexed".equals(job.getSpec().getCompletionMode());
    List<Pod> pods = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      pods.add(running(createPod(job, indexed ? i : null)));
    }
    editJob(
        job,
        s -> {
          s.setActive(n);
          s.setReady(n);
          if (s.getStartTime() == null) {
            s.setStartTime(now());
          }
          return s;
        });
    return pods;
  }

  /** Runs a pod: sidecars started, worker running. */
  public Pod running(Pod pod) {
    return editPod(
        pod,
        p -> {
          p.getStatus().setPhase("Running");
          p.getStatus()
              .setConditions(
                  List.of(
                      new PodConditionBuilder()
                          .withType("PodScheduled")
                          .withStatus("True")
                          .build()));
          p.getStatus()
              .setInitContainerStatuses(statuses(p.getSpec().getInitContainers(), true, true));
          p.getStatus().setContainerStatuses(statuses(p.getSpec().getContainers(), true, true));
          return p;
        });
  }

  private static List<ContainerStatus> statuses(
      List<Container> containers, boolean running, boolean started) {
    List<ContainerStatus> out = new ArrayList<>();
    if (containers == null) {
      return out;
    }
    for (Container c : containers) {
      out.add(
          new ContainerStatusBuilder()
              .withName(c.getName())
              .withImage(c.getImage())
              .withReady(running)
              .withStarted(started)
              .withRestartCount(0)
              .withState(
                  running
                      ? new ContainerStateBuilder()
                          .withNewRunning()
                          .withStartedAt(now())
                          .endRunning()
                          .build()
                      : new ContainerStateBuilder()
                          .withNewWaiting()
                          .withReason("PodInitializing")
                          .endWaiting()
                          .build())
              .build());
    }
    return out;
  }

  /** Ends a pod: the worker container exits with {@code exitCode} and leaves {@code message}. */
  public Pod finish(Pod pod, String worker, int exitCode, String reason, String message) {
    return editPod(
        pod,
        p -> {
          p.getStatus().setPhase(exitCode == 0 ? "Succeeded" : "Failed");
          List<ContainerStatus> cs = new ArrayList<>();
          for (Container c : p.getSpec().getContainers()) {
            ContainerStatusBuilder b =
                new ContainerStatusBuilder()
                    .withName(c.getName())
                    .withImage(c.getImage())
                    .withReady(false)
                    .withStarted(false)
                    .withRestartCount(0);
            if (c.getName().equals(worker)) {
              b.withState(
                  new ContainerStateBuilder()
                      .withNewTerminated()
                      .withExitCode(exitCode)
                      .withReason(reason)
                      .withMessage(message)
                      .withFinishedAt(now())
                      .endTerminated()
                      .build());
            } else {
              b.withState(
                  new ContainerStateBuilder()
                      .withNewTerminated()
                      .withExitCode(0)
                      .withReason("Completed")
                      .endTerminated()
                      .build());
            }
            cs.add(b.build());
          }
          p.getStatus().setContainerStatuses(cs);
          return p;
        });
  }

  /** Index {@code index} of a running Indexed Job succeeds with the given summary. */
  public void succeedIndex(Job job, String worker, int index, String summary) {
    Pod pod =
        pods(job).stream()
            .filter(
                p ->
                    Integer.toString(index).equals(p.getMetadata().getAnnotations().get(INDEX))
                        && !"Failed".equals(p.getStatus().getPhase()))
            .reduce((a, b) -> b)
            .orElseThrow(() -> new IllegalStateException("no pod for index " + index));
    finish(pod, worker, 0, "Completed", summary);
    int completions = job.getSpec().getCompletions();
    editJob(
        job,
        s -> {
          TreeSet<Integer> done = new TreeSet<>(parseIndexes(s.getCompletedIndexes()));
          done.add(index);
          s.setCompletedIndexes(formatIndexes(done));
          s.setSucceeded(done.size());
          s.setActive(Math.max(0, completions - done.size()));
          s.setReady(s.getActive());
          if (done.size() == completions) {
            complete(s);
          }
          return s;
        });
  }

  /** The one pod of a (non-indexed) Job succeeds with the given summary; the Job completes. */
  public void succeed(Job job, String worker, String summary) {
    Pod pod =
        pods(job).stream()
            .filter(p -> !"Failed".equals(p.getStatus().getPhase()))
            .reduce((a, b) -> b)
            .orElseThrow();
    finish(pod, worker, 0, "Completed", summary);
    editJob(
        job,
        s -> {
          s.setSucceeded(1);
          s.setActive(0);
          s.setReady(0);
          complete(s);
          return s;
        });
  }

  /**
   * The Job controller marks the Job complete (every index, or its one pod) without the test
   * touching the pods: the order in which a cluster's watches may deliver a completion before the
   * pods' final states.
   */
  public Job completeJob(Job job) {
    int completions = job.getSpec().getCompletions() == null ? 1 : job.getSpec().getCompletions();
    boolean indexed = "Indexed".equals(job.getSpec().getCompletionMode());
    return editJob(
        job,
        s -> {
          if (indexed) {
            TreeSet<Integer> all = new TreeSet<>();
            for (int i = 0; i < completions; i++) {
              all.add(i);
            }
            s.setCompletedIndexes(formatIndexes(all));
          }
          s.setSucceeded(completions);
          s.setActive(0);
          s.setReady(0);
          complete(s);
          return s;
        });
  }

  /** Deletes a pod (pod garbage collection, a person, a node that went away). */
  public void deletePod(Pod pod) {
    client
        .pods()
        .inNamespace(pod.getMetadata().getNamespace())
        .withName(pod.getMetadata().getName())
        .delete();
  }

  private static void complete(JobStatus s) {
    List<JobCondition> c =
        new ArrayList<>(s.getConditions() == null ? List.of() : s.getConditions());
    c.add(
        condition(
            "SuccessCriteriaMet",
            "CompletionsReached",
            "Reached expected number of succeeded pods"));
    c.add(condition("Complete", "CompletionsReached", "Reached expected number of succeeded pods"));
    s.setConditions(c);
    s.setCompletionTime(now());
  }

  /** A pod of the Job fails; the Job counts it (and retries: the caller starts a new pod). */
  public void failPod(
      Pod pod, Job job, String worker, int exitCode, String reason, String message) {
    finish(pod, worker, exitCode, reason, message);
    editJob(
        job,
        s -> {
          s.setFailed((s.getFailed() == null ? 0 : s.getFailed()) + 1);
          s.setActive(Math.max(0, (s.getActive() == null ? 0 : s.getActive()) - 1));
          return s;
        });
  }

  /** The Job fails for good. */
  public void failJob(Job job, String reason, String message) {
    editJob(
        job,
        s -> {
          List<JobCondition> c =
              new ArrayList<>(s.getConditions() == null ? List.of() : s.getConditions());
          c.add(condition("FailureTarget", reason, message));
          c.add(condition("Failed", reason, message));
          s.setConditions(c);
          s.setActive(0);
          return s;
        });
  }

  /** Records an Event about the Job, as the Job controller does. */
  public Event jobEvent(Job job, String reason, String message) {
    Event e =
        new EventBuilder()
            .withNewMetadata()
            .withName(job.getMetadata().getName() + "." + SEQ.incrementAndGet())
            .withNamespace(job.getMetadata().getNamespace())
            .endMetadata()
            .withNewInvolvedObject()
            .withKind("Job")
            .withApiVersion("batch/v1")
            .withName(job.getMetadata().getName())
            .withNamespace(job.getMetadata().getNamespace())
            .withUid(job.getMetadata().getUid())
            .endInvolvedObject()
            .withType("Warning")
            .withReason(reason)
            .withMessage(message)
            .withFirstTimestamp(now())
            .withLastTimestamp(now())
            .build();
    return client.v1().events().resource(e).create();
  }

  /** A pending pod the scheduler cannot place. */
  public Pod unschedulable(Pod pod, String message) {
    return editPod(
        pod,
        p -> {
          p.getStatus().setPhase("Pending");
          p.getStatus()
              .setConditions(
                  List.of(
                      new PodConditionBuilder()
                          .withType("PodScheduled")
                          .withStatus("False")
                          .withReason("Unschedulable")
                          .withMessage(message)
                          .build()));
          // not on a node: no containers yet
          p.getStatus().setInitContainerStatuses(List.of());
          p.getStatus().setContainerStatuses(List.of());
          return p;
        });
  }

  /** A container of a pending pod waits with {@code reason} (image pull, config error). */
  public Pod waiting(Pod pod, String container, String reason, String message) {
    return editPod(
        pod,
        p -> {
          p.getStatus().setPhase("Pending");
          List<ContainerStatus> init = statuses(p.getSpec().getInitContainers(), false, false);
          List<ContainerStatus> main = statuses(p.getSpec().getContainers(), false, false);
          for (ContainerStatus s : concat(init, main)) {
            if (s.getName().equals(container)) {
              s.setState(
                  new ContainerStateBuilder()
                      .withNewWaiting()
                      .withReason(reason)
                      .withMessage(message)
                      .endWaiting()
                      .build());
            }
          }
          p.getStatus().setInitContainerStatuses(init);
          p.getStatus().setContainerStatuses(main);
          return p;
        });
  }

  /** A container keeps crashing: waiting in CrashLoopBackOff with its last exit. */
  public Pod crashLooping(
      Pod pod, String container, int exitCode, String lastReason, String lastMessage) {
    return editPod(
        pod,
        p -> {
          p.getStatus().setPhase("Pending");
          List<ContainerStatus> init = statuses(p.getSpec().getInitContainers(), false, false);
          List<ContainerStatus> main = statuses(p.getSpec().getContainers(), false, false);
          for (ContainerStatus s : concat(init, main)) {
            if (s.getName().equals(container)) {
              s.setRestartCount(5);
              s.setState(
                  new ContainerStateBuilder()
                      .withNewWaiting()
                      .withReason("CrashLoopBackOff")
                      .withMessage("back-off 5m0s restarting failed container")
                      .endWaiting()
                      .build());
              s.setLastState(
                  new ContainerStateBuilder()
                      .withNewTerminated()
                      .withExitCode(exitCode)
                      .withReason(lastReason)
                      .withMessage(lastMessage)
                      .endTerminated()
                      .build());
            }
          }
          p.getStatus().setInitContainerStatuses(init);
          p.getStatus().setContainerStatuses(main);
          return p;
        });
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  private static JobCondition condition(String type, String reason, String message) {
    return new JobConditionBuilder()
        .withType(type)
        .withStatus("True")
        .withReason(reason)
        .withMessage(message)
        .withLastTransitionTime(now())
        .withLastProbeTime(now())
        .build();
  }

  static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  static List<Integer> parseIndexes(String s) {
    List<Integer> out = new ArrayList<>();
    if (s == null || s.isBlank()) {
      return out;
    }
    for (String part : s.split(",")) {
      int dash = part.indexOf('-');
      if (dash < 0) {
        out.add(Integer.parseInt(part));
      } else {
        for (int i = Integer.parseInt(part.substring(0, dash));
            i <= Integer.parseInt(part.substring(dash + 1));
            i++) {
          out.add(i);
        }
      }
    }
    return out;
  }

  static String formatIndexes(TreeSet<Integer> set) {
    List<String> parts = new ArrayList<>();
    Integer start = null;
    Integer prev = null;
    for (int i : set) {
      if (start == null) {
        start = i;
      } else if (i != prev + 1) {
        parts.add(start.equals(prev) ? "" + start : start + "-" + prev);
        start = i;
      }
      prev = i;
    }
    if (start != null) {
      parts.add(start.equals(prev) ? "" + start : start + "-" + prev);
    }
    return String.join(",", parts);
  }

  /**
   * Runs a Job to success as its workers would: every index (or the one pod) starts and ends with
   * the summary {@code summary} gives for the index.
   */
  public void runToSuccess(Job job, String worker, java.util.function.IntFunction<String> summary) {
    start(job);
    if ("Indexed".equals(job.getSpec().getCompletionMode())) {
      for (int i = 0; i < job.getSpec().getCompletions(); i++) {
        succeedIndex(job, worker, i, summary.apply(i));
      }
    } else {
      succeed(job, worker, summary.apply(0));
    }
  }

  /** Shared counters of created objects for duplicate checks. */
  public Map<String, Integer> counts(String namespace) {
    Map<String, Integer> m = new HashMap<>();
    m.put("jobs", client.batch().v1().jobs().inNamespace(namespace).list().getItems().size());
    m.put("pvcs", client.persistentVolumeClaims().inNamespace(namespace).list().getItems().size());
    m.put("configmaps", client.configMaps().inNamespace(namespace).list().getItems().size());
    return m;
  }
}
