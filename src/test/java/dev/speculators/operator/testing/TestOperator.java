package dev.speculators.operator.testing;

import dev.speculators.operator.dataset.HiddenStateDatasetReconciler;
import dev.speculators.operator.eval.SpeculatorEvalReconciler;
import dev.speculators.operator.kube.WorkloadSettings;
import dev.speculators.operator.preflight.ModelConfigs;
import dev.speculators.operator.training.SpeculatorTrainingReconciler;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * One operator replica with the three production controllers on a plain JOSDK {@link Operator} (the
 * Quarkus application wires the same classes): tests start and stop replicas against one mock API
 * server to play operator restarts, and the benchmark drives one.
 */
public final class TestOperator implements AutoCloseable {
  private final Operator operator;
  private final AtomicLong reconciliations = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();

  private TestOperator(
      KubernetesClient client, WorkloadSettings settings, ModelConfigs modelConfigs) {
    Metrics counting =
        new Metrics() {
          @Override
          public void reconciliationFinished(
              HasMetadata resource,
              io.javaoperatorsdk.operator.api.reconciler.RetryInfo retryInfo,
              Map<String, Object> metadata) {
            reconciliations.incrementAndGet();
          }

          @Override
          public void reconciliationFailed(
              HasMetadata resource,
              io.javaoperatorsdk.operator.api.reconciler.RetryInfo retryInfo,
              Exception exception,
              Map<String, Object> metadata) {
            failures.incrementAndGet();
          }
        };
    operator =
        new Operator(
            o ->
                o.withKubernetesClient(client)
                    .withCloseClientOnStop(false)
                    .withMetrics(counting)
                    .withUseSSAToPatchPrimaryResource(false)
                    .withSSABasedCreateUpdateMatchForDependentResources(false));
    operator.register(new HiddenStateDatasetReconciler(settings).withModelConfigs(modelConfigs));
    operator.register(new SpeculatorTrainingReconciler(settings).withModelConfigs(modelConfigs));
    operator.register(new SpeculatorEvalReconciler(settings).withModelConfigs(modelConfigs));
  }

  /** Starts a replica. */
  public static TestOperator start(KubernetesClient client, WorkloadSettings settings) {
    return start(client, settings, ModelConfigs.none());
  }

  /** Starts a replica that reads target models' configs for the storage pre-flight. */
  public static TestOperator start(
      KubernetesClient client, WorkloadSettings settings, ModelConfigs modelConfigs) {
    TestOperator t = new TestOperator(client, settings, modelConfigs);
    t.operator.start();
    return t;
  }

  /** Registers the committed CRDs with the mock, which then emulates the status subresource. */
  public static void installCrds(KubernetesClient client) {
    try (Stream<Path> files = Files.list(Path.of("crds"))) {
      for (Path f : files.filter(p -> p.toString().endsWith("-v1.yml")).toList()) {
        try (InputStream in = Files.newInputStream(f)) {
          CustomResourceDefinition crd =
              client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
          client
              .apiextensions()
              .v1()
              .customResourceDefinitions()
              .resource(crd)
              .createOr(c -> c.update());
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reconciliations finished so far. */
  public long reconciliations() {
    return reconciliations.get();
  }

  /** Reconciliations that threw. */
  public long failures() {
    return failures.get();
  }

  @Override
  public void close() {
    operator.stop();
  }
}
