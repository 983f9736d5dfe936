package dev.speculators.operator.dataset;

import dev.speculators.api.DatasetPhase;
import dev.speculators.api.DatasetResults;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.operator.workload.Statuses;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reuse of a dataset's data by an equal one. A HiddenStateDataset whose content hash equals that of
 * a Succeeded one in the namespace points its status at that one's volume and generates nothing.
 *
 * <p>The data must outlive the dataset that generated it as long as a reuser needs it. A claim the
 * operator created with {@code retentionPolicy: Retain} (the default) has no owner and is never
 * deleted by anyone but a person; one created with {@code Delete} is owned by its dataset and would
 * be garbage-collected with it, so every reuser is added to its owners (not as controller): the
 * garbage collector deletes an object only when all of its owners are gone, so the data stays while
 * any dataset that uses it exists, and goes with the last one. A claim named in {@code
 * storage.claimName} is the user's and is never deleted.
 */
public final class DatasetSharing {
  /**
   * Label on a HiddenStateDataset: {@code "false"} keeps other datasets from reusing its data (for
   * data that is about to be deleted or changed by hand).
   */
  public static final String SHAREABLE_LABEL = "speculators.dev/shareable";

  private DatasetSharing() {}

  /**
   * The dataset whose data {@code ds} can use: Succeeded with all of its results, the same content
   * hash, not being deleted, not labelled unshareable; datasets that generated their data first,
   * then the oldest.
   */
  public static Optional<HiddenStateDataset> candidate(
      HiddenStateDataset ds, String contentHash, List<HiddenStateDataset> others) {
    return others.stream()
        .filter(d -> !d.getMetadata().getUid().equals(ds.getMetadata().getUid()))
        .filter(d -> d.getMetadata().getDeletionTimestamp() == null)
        .filter(d -> !"false".equals(label(d)))
        .filter(
            d ->
                d.getStatus() != null
                    && d.getStatus().phase == DatasetPhase.SUCCEEDED
                    && d.getStatus().results != null
                    && d.getStatus().results.claimName != null
                    && d.getStatus().results.missingSummary == null
                    && contentHash.equals(d.getStatus().results.contentHash))
        .min(
            Comparator.comparing((HiddenStateDataset d) -> d.getStatus().reusedFrom != null)
                .thenComparing(
                    d ->
                        d.getMetadata().getCreationTimestamp() == null
                            ? ""
                            : d.getMetadata().getCreationTimestamp())
                .thenComparing(d -> d.getMetadata().getName()));
  }

  /** The dataset that generated the data {@code d} holds or uses. */
  public static String origin(HiddenStateDataset d) {
    return d.getStatus().reusedFrom != null ? d.getStatus().reusedFrom : d.getMetadata().getName();
  }

  /** The results of a reuser: the candidate's, pointing at its volume. */
  public static DatasetResults results(HiddenStateDataset candidate) {
    return Statuses.copy(candidate.getStatus().results, DatasetResults.class);
  }

  /**
   * {@code claim} with {@code reuser} added to its owners, when the claim is deleted with its
   * owners and does not list it yet; empty otherwise (a claim without owners is retained).
   */
  public static Optional<PersistentVolumeClaim> keepFor(
      PersistentVolumeClaim claim, HiddenStateDataset reuser) {
    List<OwnerReference> owners = claim.getMetadata().getOwnerReferences();
    if (owners == null || owners.isEmpty()) {
      return Optional.empty();
    }
    String uid = reuser.getMetadata().getUid();
    if (owners.stream().anyMatch(r -> uid.equals(r.getUid()))) {
      return Optional.empty();
    }
    PersistentVolumeClaim copy = new PersistentVolumeClaimBuilder(claim).build();
    List<OwnerReference> more = new ArrayList<>(owners);
    more.add(
        new OwnerReferenceBuilder()
            .withApiVersion(reuser.getApiVersion())
            .withKind(reuser.getKind())
            .withName(reuser.getMetadata().getName())
            .withUid(uid)
            .withController(false)
            .withBlockOwnerDeletion(false)
            .build());
    copy.getMetadata().setOwnerReferences(more);
    return Optional.of(copy);
  }

  private static String label(HiddenStateDataset d) {
    Map<String, String> labels = d.getMetadata().getLabels();
    return labels == null ? null : labels.get(SHAREABLE_LABEL);
  }
}
