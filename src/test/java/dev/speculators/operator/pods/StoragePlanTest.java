package dev.speculators.operator.pods;

import static org.assertj.core.api.Assertions.assertThat;

import dev.speculators.api.HiddenStateDataset;
import dev.speculators.api.HiddenStateDatasetSpec;
import dev.speculators.api.common.AccessMode;
import dev.speculators.api.common.RetentionPolicy;
import dev.speculators.api.common.Storage;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import org.junit.jupiter.api.Test;

class StoragePlanTest {

  private static HiddenStateDataset owner() {
    HiddenStateDataset d = new HiddenStateDataset("ns", "ds1", new HiddenStateDatasetSpec());
    d.getMetadata().setUid("uid-1");
    return d;
  }

  @Test
  void anExistingClaimIsUsedAsIsAndNeverCreated() {
    Storage s = new Storage();
    s.claimName = "shared";
    s.subPath = "datasets/x/";
    StoragePlan p = StoragePlan.of(owner(), s, "hidden-states", "100Gi");
    assertThat(p.created()).isNull();
    assertThat(p.claimName()).isEqualTo("shared");
    assertThat(p.directory()).isEqualTo("datasets/x");

    s.subPath = null;
    assertThat(StoragePlan.of(owner(), s, "hidden-states", "100Gi").directory())
        .as("default directory: the resource's name")
        .isEqualTo("ds1");
  }

  @Test
  void byDefaultACreatedClaimIsRetainedWithoutOwnerReference() {
    StoragePlan p = StoragePlan.of(owner(), null, "hidden-states", "100Gi");
    assertThat(p.claimName()).isEqualTo("ds1-hidden-states");
    assertThat(p.created().getMetadata().getOwnerReferences()).isNullOrEmpty();
    assertThat(p.created().getMetadata().getAnnotations())
        .containsEntry(StoragePlan.RETENTION_ANNOTATION, "Retain")
        .containsEntry("speculators.dev/owner-name", "ds1");
    assertThat(p.created().getSpec().getResources().getRequests().get("storage"))
        .isEqualTo(new Quantity("100Gi"));
    assertThat(p.created().getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
  }

  @Test
  void retentionDeleteMakesTheClaimOwnedSoItIsCollectedWithTheResource() {
    Storage s = new Storage();
    s.size = new Quantity("2Ti");
    s.storageClassName = "fast";
    s.accessModes = List.of(AccessMode.READ_WRITE_MANY);
    s.retentionPolicy = RetentionPolicy.DELETE;
    StoragePlan p = StoragePlan.of(owner(), s, "hidden-states", "100Gi");
    assertThat(p.created().getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getUid()).isEqualTo("uid-1");
              assertThat(r.getKind()).isEqualTo("HiddenStateDataset");
              assertThat(r.getController()).isTrue();
            });
    assertThat(p.created().getSpec().getStorageClassName()).isEqualTo("fast");
    assertThat(p.created().getSpec().getAccessModes()).containsExactly("ReadWriteMany");
    assertThat(p.created().getSpec().getResources().getRequests().get("storage"))
        .isEqualTo(new Quantity("2Ti"));
  }
}
