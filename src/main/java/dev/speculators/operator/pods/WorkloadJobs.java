package dev.speculators.operator.pods;

import dev.speculators.operator.kube.Labels;
import dev.speculators.operator.kube.Owners;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRule;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRuleBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Job around a workload pod template: owner reference (deleted with the resource), labels the
 * informers select by, the Kueue queue label, a backoff limit, and a pod failure policy under which
 * disruptions (eviction, preemption, node drain: the pod condition {@code DisruptionTarget}) never
 * count as failures, and a usage error of the worker (exit code 2: bad arguments that a retry
 * cannot fix) fails the Job at once.
 */
public final class WorkloadJobs {
  /** Exit code of a worker command that was given invalid arguments. */
  public static final int USAGE_ERROR_EXIT_CODE = 2;

  private WorkloadJobs() {}

  /**
   * The shape of a workload Job.
   *
   * @param name Job name
   * @param component the role label (datagen, train, eval)
   * @param workerContainer the container whose exit codes the failure policy reads
   * @param queueName Kueue LocalQueue, or null
   * @param shards completions of an Indexed Job, or 0 for a single-pod Job
   * @param backoffLimit retries (per index for an Indexed Job)
   * @param ignoredExitCodes worker exit codes that are retried without counting as a failure
   */
  public record Shape(
      String name,
      String component,
      String workerContainer,
      String queueName,
      int shards,
      int backoffLimit,
      List<Integer> ignoredExitCodes) {}

  /** The Job of {@code owner} running {@code template}. */
  public static Job build(HasMetadata owner, Shape shape, PodTemplateSpec template) {
    Map<String, String> labels = Labels.of(owner, shape.component());
    if (shape.queueName() != null && !shape.queueName().isEmpty()) {
      labels.put(Labels.KUEUE_QUEUE, shape.queueName());
    }
    template.getSpec().setRestartPolicy("Never");
    List<PodFailurePolicyRule> rules = new ArrayList<>();
    rules.add(
        new PodFailurePolicyRuleBuilder()
            .withAction("Ignore")
            .addNewOnPodCondition()
            .withType("DisruptionTarget")
            .withStatus("True")
            .endOnPodCondition()
            .build());
    if (shape.ignoredExitCodes() != null && !shape.ignoredExitCodes().isEmpty()) {
      rules.add(
          new PodFailurePolicyRuleBuilder()
              .withAction("Ignore")
              .withNewOnExitCodes()
              .withContainerName(shape.workerContainer())
              .withOperator("In")
              .withValues(shape.ignoredExitCodes())
              .endOnExitCodes()
              .build());
    }
    rules.add(
        new PodFailurePolicyRuleBuilder()
            .withAction("FailJob")
            .withNewOnExitCodes()
            .withContainerName(shape.workerContainer())
            .withOperator("In")
            .withValues(USAGE_ERROR_EXIT_CODE)
            .endOnExitCodes()
            .build());

    JobBuilder job =
        new JobBuilder()
            .withNewMetadata()
            .withName(shape.name())
            .withNamespace(owner.getMetadata().getNamespace())
            .withLabels(labels)
            .withAnnotations(Labels.annotations(owner))
            .withOwnerReferences(Owners.controllerRef(owner))
            .endMetadata()
            .withNewSpec()
            .withNewPodFailurePolicy()
            .withRules(rules)
            .endPodFailurePolicy()
            .withTemplate(template)
            .endSpec();
    if (shape.shards() > 0) {
      // One index per shard. Retries are counted per index, so one flaky shard does not use up
      // the budget of the others; the overall limit covers clusters without per-index limits.
      job.editSpec()
          .withCompletionMode("Indexed")
          .withCompletions(shape.shards())
          .withParallelism(shape.shards())
          .withBackoffLimitPerIndex(shape.backoffLimit())
          .withBackoffLimit(shape.backoffLimit() * shape.shards())
          .endSpec();
    } else {
      job.editSpec()
          .withCompletions(1)
          .withParallelism(1)
          .withBackoffLimit(shape.backoffLimit())
          .endSpec();
    }
    return job.build();
  }
}
