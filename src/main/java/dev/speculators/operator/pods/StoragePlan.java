package dev.speculators.operator.pods;

import dev.speculators.api.common.AccessMode;
import dev.speculators.api.common.RetentionPolicy;
import dev.speculators.api.common.Storage;
import dev.speculators.operator.kube.ChildNames;
import dev.speculators.operator.kube.Labels;
import dev.speculators.operator.kube.Owners;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;

/**
 * Where a resource's outputs go: a claim and a directory inside it. Either an existing claim the
 * user named (never deleted by the operator) or a claim the operator creates. A created claim gets
 * an owner reference only with {@code retentionPolicy: Delete}, so that by default it, and the data
 * on it, outlive the resource.
 *
 * @param claimName the PersistentVolumeClaim
 * @param directory the output directory inside the claim (relative)
 * @param created the claim to create, or null for an existing claim
 */
public record StoragePlan(String claimName, String directory, PersistentVolumeClaim created) {

  /** Annotation on created claims: what happens to them when the resource is deleted. */
  public static final String RETENTION_ANNOTATION = "speculators.dev/retention-policy";

  /**
   * The storage of {@code owner}.
   *
   * @param storage the resource's storage field, or null for the default
   * @param suffix suffix of a created claim's name
   * @param defaultSize size of a created claim when no storage was given
   */
  public static StoragePlan of(
      HasMetadata owner, Storage storage, String suffix, String defaultSize) {
    String name = owner.getMetadata().getName();
    if (storage != null && storage.claimName != null) {
      String dir = storage.subPath == null || storage.subPath.isEmpty() ? name : storage.subPath;
      return new StoragePlan(storage.claimName, trimSlashes(dir), null);
    }
    Quantity size =
        storage != null && storage.size != null ? storage.size : new Quantity(defaultSize);
    RetentionPolicy retention =
        storage != null && storage.retentionPolicy != null
            ? storage.retentionPolicy
            : RetentionPolicy.RETAIN;
    List<String> modes =
        storage != null && storage.accessModes != null
            ? storage.accessModes.stream().map(StoragePlan::modeName).toList()
            : List.of("ReadWriteOnce");
    String claim = ChildNames.of(name, suffix);
    Map<String, String> annotations = Labels.annotations(owner);
    annotations.put(
        RETENTION_ANNOTATION, retention == RetentionPolicy.DELETE ? "Delete" : "Retain");
    PersistentVolumeClaimBuilder pvc =
        new PersistentVolumeClaimBuilder()
            .withNewMetadata()
            .withName(claim)
            .withNamespace(owner.getMetadata().getNamespace())
            .withLabels(Labels.of(owner, "storage"))
            .withAnnotations(annotations)
            .endMetadata()
            .withNewSpec()
            .withAccessModes(modes)
            .withStorageClassName(storage == null ? null : storage.storageClassName)
            .withNewResources()
            .addToRequests("storage", size)
            .endResources()
            .endSpec();
    if (retention == RetentionPolicy.DELETE) {
      pvc.editMetadata().withOwnerReferences(Owners.controllerRef(owner)).endMetadata();
    }
    return new StoragePlan(claim, name, pvc.build());
  }

  private static String modeName(AccessMode mode) {
    return switch (mode) {
      case READ_WRITE_ONCE -> "ReadWriteOnce";
      case READ_ONLY_MANY -> "ReadOnlyMany";
      case READ_WRITE_MANY -> "ReadWriteMany";
      case READ_WRITE_ONCE_POD -> "ReadWriteOncePod";
    };
  }

  private static String trimSlashes(String path) {
    String p = path;
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }

  /** A path inside the claim: {@code directory/relative}. */
  public String resolve(String relative) {
    return directory + "/" + relative;
  }
}
