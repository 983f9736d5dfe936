package dev.speculators.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.speculators.operator.testing.Summaries;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which completions of a succeeded Job have their summary: found, still to come, or lost. */
class WorkerSummariesTest {
  private static final Instant DONE = Instant.parse("2026-01-01T01:00:00Z");

  private static JobState succeeded(String completedIndexes) {
    return new JobState(
        "j",
        JobState.Phase.SUCCEEDED,
        null,
        null,
        0,
        2,
        0,
        completedIndexes,
        null,
        "2026-01-01T00:00:00Z",
        DONE.toString());
  }

  private static Pod succeededPod(String name, Integer index, String message) {
    var b = Pods.pod(name, "Succeeded", "2026-01-01T00:00:00Z");
    if (index != null) {
      b.editMetadata()
          .addToAnnotations("batch.kubernetes.io/job-completion-index", index.toString())
          .endMetadata();
    }
    return b.editStatus()
        .addToContainerStatuses(
            new ContainerStatusBuilder()
                .withName("datagen")
                .withState(
                    new ContainerStateBuilder()
                        .withNewTerminated()
                        .withExitCode(0)
                        .withMessage(message)
                        .endTerminated()
                        .build())
                .build())
        .endStatus()
        .build();
  }

  private static Pod runningShard(String name, int index) {
    Pod p = Pods.running(name, "datagen");
    p.getMetadata()
        .setAnnotations(
            java.util.Map.of("batch.kubernetes.io/job-completion-index", Integer.toString(index)));
    return p;
  }

  @Test
  void everyCompletedIndexNeedsItsOwnSummary() {
    List<Pod> pods =
        List.of(
            succeededPod("a", 0, Summaries.datagen(0, 2, 10, 100, 1, false)), runningShard("b", 1));
    WorkerSummaries.Read read =
        WorkerSummaries.of(succeeded("0-1"), pods, "datagen", "datagen", true, 2, DONE);
    assertThat(read.found()).containsOnlyKeys(0);
    assertThat(read.pending()).isTrue();
    assertThat(read.describe(WorkerSummaries.State.PENDING))
        .isEqualTo("shard 1: pod b has not reported the exit of its datagen container yet");

    // two minutes after the Job completed, a pod that still has not reported is given up
    WorkerSummaries.Read late =
        WorkerSummaries.of(
            succeeded("0-1"), pods, "datagen", "datagen", true, 2, DONE.plusSeconds(121));
    assertThat(late.pending()).isFalse();
    assertThat(late.describe(WorkerSummaries.State.LOST)).contains("shard 1", "2 min");
  }

  @Test
  void aSummaryOfAnotherKindOrNotJsonIsNotTakenForOne() {
    WorkerSummaries.Read wrongKind =
        WorkerSummaries.of(
            succeeded(null),
            List.of(succeededPod("a", null, Summaries.eval(2.0))),
            "datagen",
            "datagen",
            false,
            1,
            DONE);
    assertThat(wrongKind.complete()).isFalse();
    assertThat(wrongKind.describe(WorkerSummaries.State.LOST)).contains("not its summary");

    WorkerSummaries.Read none =
        WorkerSummaries.of(succeeded(null), List.of(), "datagen", "datagen", false, 1, DONE);
    assertThat(none.describe(WorkerSummaries.State.LOST)).contains("deleted");
  }

  @Test
  void aFailedAttemptBesideTheSucceededOneDoesNotHideIt() {
    Pod failed =
        Pods.failed("old", "2025-12-31T00:00:00Z", "datagen", 1, "Error", "{\"error\":\"x\"}");
    WorkerSummaries.Read read =
        WorkerSummaries.of(
            succeeded(null),
            List.of(failed, succeededPod("new", null, Summaries.datagen(0, 1, 5, 50, 1, true))),
            "datagen",
            "datagen",
            false,
            1,
            DONE);
    assertThat(read.complete()).isTrue();
    assertThat(read.single().orElseThrow().get("samples").asInt()).isEqualTo(5);
  }
}
