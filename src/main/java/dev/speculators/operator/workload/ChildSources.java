package dev.speculators.operator.workload;

import dev.speculators.operator.kube.Labels;
import dev.speculators.operator.kube.OwnerNameMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

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

  /**
   * An event source on resources the primaries depend on by name in their own namespace (a
   * training's dataset, an evaluation's training): an index of the primaries by the name they
   * reference maps a change of a dependency to every primary that references it.
   *
   * @param referencedName the name a primary references, or null when it references none
   */
  public static <D extends HasMetadata, P extends HasMetadata> InformerEventSource<D, P> referenced(
      Class<D> type, EventSourceContext<P> context, Function<P, String> referencedName) {
    String index = "by-" + type.getSimpleName();
    context
        .getPrimaryCache()
        .addIndexer(
            index,
            p -> {
              String name = referencedName.apply(p);
              return name == null
                  ? List.of()
                  : List.of(p.getMetadata().getNamespace() + "/" + name);
            });
    return new InformerEventSource<>(
        InformerEventSourceConfiguration.from(type, context.getPrimaryResourceClass())
            .withName(type.getSimpleName())
            .withSecondaryToPrimaryMapper(
                d -> {
                  Set<ResourceID> ids = new HashSet<>();
                  context
                      .getPrimaryCache()
                      .byIndex(
                          index, d.getMetadata().getNamespace() + "/" + d.getMetadata().getName())
                      .forEach(p -> ids.add(ResourceID.fromResource(p)));
                  return ids;
                })
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

  /** Every cached object of the event source named after {@code type}, in {@code namespace}. */
  @SuppressWarnings("unchecked")
  public static <R extends HasMetadata, P extends HasMetadata> List<R> list(
      Context<P> context, Class<R> type, String namespace) {
    var source = context.eventSourceRetriever().getEventSourceFor(type, type.getSimpleName());
    return ((InformerEventSource<R, P>) source).list(namespace).toList();
  }

  /** All cached children of {@code type} that belong to the reconciled resource. */
  public static <R extends HasMetadata, P extends HasMetadata> List<R> all(
      Context<P> context, Class<R> type) {
    return List.copyOf(context.getSecondaryResources(type));
  }
}
