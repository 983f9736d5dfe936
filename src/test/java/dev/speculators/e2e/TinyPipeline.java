package dev.speculators.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speculators.api.DatasetPhase;
import dev.speculators.api.EvalPhase;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.api.SpeculatorEval;
import dev.speculators.api.SpeculatorTraining;
import dev.speculators.api.TrainingPhase;
import dev.speculators.api.common.ResourceStatus;
import dev.speculators.gitops.HealthChecks;
import io.fabric8.kubernetes.client.CustomResource;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The cluster tiny pipeline ({@code e2e/kind/tiny-pipeline.yaml}) and what a successful run must
 * show in the statuses, wherever it ran (the mock API server with in-process workers, or a kind
 * cluster): every resource Ready for its generation, real numbers from the workers, and a trained
 * draft that beats an untrained one.
 */
public final class TinyPipeline {
  public static final Path FILE = Path.of("e2e", "kind", "tiny-pipeline.yaml");
  public static final String DATASET = "tiny-chat";
  public static final String TRAINING = "tiny-eagle3";
  public static final String EVAL = "tiny-eagle3-eval";

  private static final ObjectMapper JSON = new ObjectMapper();

  private TinyPipeline() {}

  /** Checks the three finished resources; returns a line for the log. */
  public static String assertSucceeded(
      HiddenStateDataset d, SpeculatorTraining t, SpeculatorEval e) {
    for (CustomResource<?, ? extends ResourceStatus> r : List.of(d, t, e)) {
      String what = r.getKind() + " " + r.getMetadata().getName();
      ResourceStatus s = r.getStatus();
      assertThat(s).as(what).isNotNull();
      assertThat(s.observedGeneration).as(what).isEqualTo(r.getMetadata().getGeneration());
      assertThat(s.condition("Ready").map(c -> c.getStatus()).orElse(null))
          .as(what + ": " + s.message)
          .isEqualTo("True");
      assertThat(s.completionTime).as(what).isNotNull();
      assertThat(s.lastPhaseTransitionTime).as(what).isNotNull();
      JsonNode object = JSON.valueToTree(r);
      assertThat(HealthChecks.argo(object).status()).as(what).isEqualTo("Healthy");
      assertThat(HealthChecks.kstatus(object)).as(what).isEqualTo("Current");
      assertThat(HealthChecks.flux(object)).as(what).isEqualTo("Current");
      assertThat(HealthChecks.kubectlWait(object, "Ready", "True")).as(what).isTrue();
    }
    assertThat(d.getStatus().phase).isEqualTo(DatasetPhase.SUCCEEDED);
    assertThat(t.getStatus().phase).isEqualTo(TrainingPhase.SUCCEEDED);
    assertThat(e.getStatus().phase).isEqualTo(EvalPhase.SUCCEEDED);

    var data = d.getStatus().results;
    assertThat(data.samples).as("samples generated").isEqualTo(300L);
    assertThat(data.tokens).as("tokens").isGreaterThan(1000L);
    assertThat(data.resolvedLayerIds).containsExactly(1, 2, 3, 4);

    var training = t.getStatus().results;
    assertThat(training.trainLoss).as("train loss").isNotNull().isFinite().isPositive();
    assertThat(training.valLoss).as("validation loss").isNotNull().isFinite().isPositive();
    assertThat(training.fullAcc)
        .as("per-step accuracy")
        .hasSize(3)
        .allSatisfy(a -> assertThat(a).isBetween(0.0, 1.0));
    assertThat(training.finalPath).as("final speculator").isNotBlank();
    assertThat(training.bestEpoch).as("best epoch, counted from 0").isBetween(0, 2);
    assertThat(training.checkpointPath).as("newest checkpoint").endsWith("checkpoints/2");
    assertThat(training.maxPositionEmbeddings)
        .as("the tiny verifier's context limit")
        .isEqualTo(512);
    assertThat(
            List.of(
                data.missingSummary + "",
                training.missingSummary + "",
                "" + e.getStatus().results.missingSummary))
        .as("every summary read")
        .containsOnly("null");
    assertThat(t.getStatus().progress.summary).as("progress").contains("3/3");

    var eval = e.getStatus().results;
    assertThat(eval.drafts).as("drafts").isPositive();
    assertThat(eval.untrainedMeanAcceptanceLength)
        .as("untrained draft measured")
        .isNotNull()
        .isGreaterThanOrEqualTo(1.0);
    assertThat(eval.meanAcceptanceLength)
        .as("trained beats untrained")
        .isGreaterThan(eval.untrainedMeanAcceptanceLength + 0.2);
    assertThat(eval.perPositionAcceptance).hasSize(3);
    return String.format(
        Locale.ROOT,
        "dataset %d samples / %d tokens; training loss %.4f (validation %.4f), accuracy %s;"
            + " mean acceptance length %.3f vs untrained %.3f (%d drafts)",
        data.samples,
        data.tokens,
        training.trainLoss,
        training.valLoss,
        training.fullAcc,
        eval.meanAcceptanceLength,
        eval.untrainedMeanAcceptanceLength,
        eval.drafts);
  }
}
