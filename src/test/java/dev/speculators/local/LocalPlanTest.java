package dev.speculators.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code run -f} makes of a resource file before it runs anything. */
class LocalPlanTest {
  private static final Path EXAMPLE = Path.of("examples/local/tiny-pipeline.yaml");

  @Test
  void theExamplePipelineIsThreeStepsWithTheVolumeLayout(@TempDir Path out) throws Exception {
    LocalPlan plan = LocalPlan.read(EXAMPLE, volumes(EXAMPLE, out));
    assertThat(plan.steps())
        .extracting(LocalPlan.Step::name)
        .containsExactly("tiny-chat", "tiny-eagle3", "tiny-eagle3-eval");
    LocalPlan.DatasetStep data = (LocalPlan.DatasetStep) plan.steps().get(0);
    assertThat(data.dir()).isEqualTo(out.toAbsolutePath().resolve("tiny-chat"));
    // defaults applied like admission: the schema's defaults are in the spec
    assertThat(data.spec().seed).isZero();
    assertThat(data.spec().shards).isEqualTo(1);
    LocalPlan.TrainingStep training = (LocalPlan.TrainingStep) plan.steps().get(1);
    assertThat(training.datasetDir()).isEqualTo(data.dir());
    assertThat(training.spec().draft.numLayers).isEqualTo(1);
    LocalPlan.EvalStep eval = (LocalPlan.EvalStep) plan.steps().get(2);
    assertThat(eval.speculatorDir()).isEqualTo(training.dir().resolve("final"));
    assertThat(eval.targetModel().path).isEqualTo("tiny-model");
    assertThat(volumes(EXAMPLE, out).model(eval.targetModel()))
        .isEqualTo(Path.of("examples/local/tiny-model").toAbsolutePath());
  }

  @Test
  void aTemplateAndAnEvaluationExpandLikeTheOperatorExpandsThem(@TempDir Path tmp)
      throws Exception {
    Path file =
        write(
            tmp,
            """
        apiVersion: speculators.dev/v1alpha1
        kind: SpeculatorTraining
        metadata: {name: all-in-one}
        spec:
          engine: reference
          dataset:
            template:
              engine: reference
              targetModel: {path: model}
              datasets: [{path: {path: chats.jsonl}}]
              storage: {claimName: data, subPath: sets/one}
          storage: {claimName: runs}
          evaluation:
            engine: reference
            datasets: [prompts.jsonl]
        """);
    Path out = tmp.resolve("out");
    LocalPlan plan = LocalPlan.read(file, volumes(file, out));
    assertThat(plan.steps())
        .extracting(LocalPlan.Step::name)
        .containsExactly("all-in-one-dataset", "all-in-one", "all-in-one-eval");
    assertThat(plan.steps().get(0).dir()).isEqualTo(out.resolve("volumes/data/sets/one"));
    assertThat(plan.steps().get(1).dir()).isEqualTo(out.resolve("volumes/runs/all-in-one"));
    assertThat(((LocalPlan.EvalStep) plan.steps().get(2)).speculatorDir())
        .isEqualTo(out.resolve("volumes/runs/all-in-one/final"));
    assertThat(plan.steps().get(2).dir()).isEqualTo(out.resolve("all-in-one-eval"));
  }

  @Test
  void engineVllmIsRefusedNamingTheField(@TempDir Path tmp) throws IOException {
    Path file =
        write(
            tmp,
            """
        apiVersion: speculators.dev/v1alpha1
        kind: HiddenStateDataset
        metadata: {name: gpu}
        spec:
          targetModel: {hfId: org/model}
          datasets: [{preset: sharegpt}]
        """);
    assertThatThrownBy(() -> LocalPlan.read(file, volumes(file, tmp.resolve("out"))))
        .isInstanceOf(InvalidResourcesException.class)
        .hasMessageContaining("document 1, line 1")
        .hasMessageContaining("HiddenStateDataset/gpu")
        .hasMessageContaining("spec.engine is 'vllm'")
        .hasMessageContaining("engine: reference");
  }

  @Test
  void schemaErrorsAreReportedLikeAdmissionWithTheDocumentAndField(@TempDir Path tmp)
      throws IOException {
    Path file =
        write(
            tmp,
            """
        apiVersion: speculators.dev/v1alpha1
        kind: HiddenStateDataset
        metadata: {name: ok}
        spec:
          engine: reference
          targetModel: {path: m}
          datasets: [{path: {path: c.jsonl}}]
        ---
        apiVersion: speculators.dev/v1alpha1
        kind: SpeculatorTraining
        metadata: {name: bad}
        spec:
          engine: reference
          dataset: {ref: {name: ok}}
          draft: {numLayers: 9}
        """);
    assertThatThrownBy(() -> LocalPlan.read(file, volumes(file, tmp.resolve("out"))))
        .hasMessageContaining("document 2, line 9")
        .hasMessageContaining("SpeculatorTraining/bad is invalid")
        .hasMessageContaining("spec.draft.numLayers");
  }

  @Test
  void referencesMustPointAtResourcesEarlierInTheFile(@TempDir Path tmp) throws IOException {
    Path file =
        write(
            tmp,
            """
        apiVersion: speculators.dev/v1alpha1
        kind: SpeculatorEval
        metadata: {name: early}
        spec:
          engine: reference
          speculator: {trainingRef: {name: later}}
          datasets: [p.jsonl]
        ---
        apiVersion: speculators.dev/v1alpha1
        kind: SpeculatorTraining
        metadata: {name: later}
        spec:
          engine: reference
          dataset: {ref: {name: missing}}
        """);
    assertThatThrownBy(() -> LocalPlan.read(file, volumes(file, tmp.resolve("out"))))
        .hasMessageContaining(
            "SpeculatorEval/early: spec.speculator.trainingRef: SpeculatorTraining 'later' is not defined before it")
        .hasMessageContaining(
            "SpeculatorTraining/later: spec.dataset.ref: HiddenStateDataset 'missing' is not defined before it");
  }

  @Test
  void twoResourcesMayNotShareAnOutputDirectory(@TempDir Path tmp) throws IOException {
    Path file =
        write(
            tmp,
            """
        apiVersion: speculators.dev/v1alpha1
        kind: HiddenStateDataset
        metadata: {name: same}
        spec:
          engine: reference
          targetModel: {path: m}
          datasets: [{path: {path: c.jsonl}}]
        ---
        apiVersion: speculators.dev/v1alpha1
        kind: SpeculatorTraining
        metadata: {name: same}
        spec:
          engine: reference
          dataset: {ref: {name: same}}
        """);
    assertThatThrownBy(() -> LocalPlan.read(file, volumes(file, tmp.resolve("out"))))
        .hasMessageContaining("would write into")
        .hasMessageContaining("distinct names or storage");
  }

  private static LocalVolumes volumes(Path file, Path out) {
    return new LocalVolumes(
        file,
        out,
        () -> {
          throw new IllegalStateException("no Hub in this test");
        });
  }

  private static Path write(Path dir, String yaml) throws IOException {
    Path f = dir.resolve("resources.yaml");
    Files.writeString(f, yaml);
    return f;
  }
}
