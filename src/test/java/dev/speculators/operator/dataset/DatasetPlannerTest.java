package dev.speculators.operator.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import dev.speculators.api.DatasetPhase;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.operator.kube.WorkloadSettings;
import dev.speculators.operator.pods.DatagenWorkload;
import dev.speculators.operator.status.Reason;
import dev.speculators.operator.testing.Resources;
import dev.speculators.operator.workload.Plan;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DatasetPlannerTest {
  private static final WorkloadSettings S = WorkloadSettings.defaults();
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  private static HiddenStateDataset dataset() {
    return Resources.parse(
        """
        apiVersion: speculators.dev/v1alpha1
        kind: HiddenStateDataset
        metadata: {name: ds}
        spec:
          targetModel: {hfId: org/m}
          datasets: [{preset: sharegpt}]
          layerIds: [1, 2, 3, 4]
          shards: 2
        """,
        HiddenStateDataset.class,
        "ns");
  }

  @Test
  void aNewDatasetGetsItsClaimConfigMapAndJobInThatOrder() {
    Plan<?> p =
        DatasetPlanner.plan(
            new DatasetObservation(
                dataset(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                List.of(),
                Optional.empty()),
            S,
            NOW);
    assertThat(p.create())
        .extracting(HasMetadata::getKind)
        .containsExactly("PersistentVolumeClaim", "ConfigMap", "Job");
    assertThat(p.outcome().reason()).isEqualTo(Reason.Pending);
    assertThat(p.phase()).isEqualTo("Pending");
  }

  @Test
  void whatExistsIsNeverCreatedAgain() {
    HiddenStateDataset ds = dataset();
    Plan<?> first =
        DatasetPlanner.plan(
            new DatasetObservation(
                ds,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                List.of(),
                Optional.empty()),
            S,
            NOW);
    PersistentVolumeClaim pvc = (PersistentVolumeClaim) first.create().get(0);
    ConfigMap cm = (ConfigMap) first.create().get(1);
    Job job = (Job) first.create().get(2);
    Plan<?> again =
        DatasetPlanner.plan(
            new DatasetObservation(
                ds,
                Optional.of(job),
                Optional.of(cm),
                Optional.of(pvc),
                List.of(),
                Optional.empty()),
            S,
            NOW);
    assertThat(again.create()).isEmpty();
    assertThat(again.outcome().reason()).isEqualTo(Reason.PodsStarting);
  }

  @Test
  void aJobOfSomethingElseWithTheNameIsAConflictNotAdopted() {
    HiddenStateDataset ds = dataset();
    Job foreign =
        new JobBuilder()
            .withNewMetadata()
            .withName(DatagenWorkload.jobName(ds))
            .endMetadata()
            .build();
    Plan<?> p =
        DatasetPlanner.plan(
            new DatasetObservation(
                ds,
                Optional.of(foreign),
                Optional.empty(),
                Optional.empty(),
                List.of(),
                Optional.empty()),
            S,
            NOW);
    assertThat(p.create()).isEmpty();
    assertThat(p.outcome().reason()).isEqualTo(Reason.NameConflict);
  }

  @Test
  void finishedWorkIsNotRedoneWhenItsJobIsGone() {
    HiddenStateDataset ds = dataset();
    var status = new dev.speculators.api.HiddenStateDatasetStatus();
    status.phase = DatasetPhase.SUCCEEDED;
    status.message = "generated 10 samples";
    dev.speculators.operator.status.StatusConditions.apply(
        status,
        dev.speculators.operator.status.Outcome.of(Reason.Succeeded, "generated 10 samples"),
        1L,
        NOW);
    ds.setStatus(status);
    ds.getMetadata().setGeneration(2L);
    Plan<?> p =
        DatasetPlanner.plan(
            new DatasetObservation(
                ds,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                List.of(),
                Optional.empty()),
            S,
            NOW.plusSeconds(60));
    assertThat(p.create()).isEmpty();
    assertThat(p.outcome().reason()).isEqualTo(Reason.Succeeded);
    assertThat(p.status().observedGeneration).isEqualTo(2L);
  }
}
