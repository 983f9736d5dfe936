package dev.speculators.operator.workload;

import dev.speculators.operator.kube.Labels;
import dev.speculators.operator.kube.OwnerNameMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Optional;

/**
 * Informer event sources for the children of one kind of resource: selected by the operator's
 * labels, mapped back to their resource by the owner-name annotation. Children are then read from
 * these caches, by name or as the set that belongs to a resource.
 */
public final class ChildSources {
  private ChildSources() {}

  /** An event source named after the child type, for children of {@code primary}'s kind. */
  public static <R extends HasMetadata, P extends HasMetadata> InformerEventSource<R, P> of(
      Class<R> type, String ownerKind, EventSourceContext<P> context) {
    return new InformerEventSource<>(
        InformerEventSourceConfiguration.from(type, context.getPrimaryResourceClass())
            .withName(type.getSimpleName())
            .withLabelSelector(Labels.selector(ownerKind))
            .withSecondaryToPrimaryMapper(new OwnerNameMapper<R>())
            .build(),
        context);
  }

  /** The cached child of {@code type} named {@code name} in {@code namespace}. */
  @SuppressWarnings("unchecked")
  public static <R extends HasMetadata, P extends HasMetadata> Optional<R> byName(
      Context<P> context, Class<R> type, String name, String namespace) {
    var source = context.eventSourceRetriever().getEventSourceFor(type, type.getSimpleName());
    return ((InformerEventSource<R, P>) source).get(new ResourceID(name, namespace));
  }

  /** All cached children of {@code type} that belong to the reconciled resource. */
  public static <R extends HasMetadata, P extends HasMetadata> List<R> all(
      Context<P> context, Class<R> type) {
    return List.copyOf(context.getSecondaryResources(type));
  }
}
