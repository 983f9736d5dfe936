package dev.speculators.operator.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import java.util.Map;
import java.util.Set;

/**
 * Maps a child (Job, Pod, ConfigMap, PVC) to its resource through the owner-name annotation. Pods
 * are owned by their Job, and a retained PVC has no owner reference at all, so owner references
 * cannot be used for them; the informer's label selector restricts children to one owner kind.
 */
public final class OwnerNameMapper<R extends HasMetadata> implements SecondaryToPrimaryMapper<R> {

  @Override
  public Set<ResourceID> toPrimaryResourceIDs(R child) {
    Map<String, String> annotations = child.getMetadata().getAnnotations();
    String name = annotations == null ? null : annotations.get(Labels.OWNER_NAME);
    return name == null
        ? Set.of()
        : Set.of(new ResourceID(name, child.getMetadata().getNamespace()));
  }
}
