package dev.speculators.operator.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.List;

/** Owner references: children the operator owns are deleted with their resource by Kubernetes. */
public final class Owners {
  private Owners() {}

  /** A controller reference to {@code owner} that blocks its deletion until the child is gone. */
  public static OwnerReference controllerRef(HasMetadata owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion(owner.getApiVersion())
        .withKind(owner.getKind())
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  /** True when {@code child}'s controller reference points at {@code owner} (by uid). */
  public static boolean isControlledBy(HasMetadata child, HasMetadata owner) {
    List<OwnerReference> refs = child.getMetadata().getOwnerReferences();
    if (refs == null) {
      return false;
    }
    return refs.stream()
        .anyMatch(
            r ->
                Boolean.TRUE.equals(r.getController())
                    && owner.getMetadata().getUid() != null
                    && owner.getMetadata().getUid().equals(r.getUid()));
  }
}
