package dev.speculators.operator.preflight;

import com.fasterxml.jackson.databind.JsonNode;
import dev.speculators.api.common.StorageEstimate;
import dev.speculators.io.StorageCheck;
import dev.speculators.operator.workload.TerminationMessages;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The storage pre-flight's verdicts as they go into {@code status.storage}. */
public final class StorageEstimates {
  /** The pods' pre-flight container (before vLLM starts). */
  public static final String POD = "pod";

  /** The operator, before any Job exists. */
  public static final String OPERATOR = "operator";

  /** The worker, after planning and before its first sample. */
  public static final String WORKER = "worker";

  private StorageEstimates() {}

  /** The status of a check made by {@code checkedBy}. */
  public static StorageEstimate of(StorageCheck c, String checkedBy) {
    StorageEstimate s = new StorageEstimate();
    s.estimatedBytes = c.neededBytes();
    s.availableBytes = c.availableBytes();
    s.verdict = verdict(c.verdict().name(), c.upperBound());
    s.basis = c.basis();
    s.suggestedSize = c.suggestedQuantity();
    s.checkedBy = checkedBy;
    return s;
  }

  private static String verdict(String name, boolean upperBound) {
    return switch (name) {
      case "FITS" -> "Fits";
      case "CLOSE" -> "Close";
      default -> upperBound ? "TooSmallAtCap" : "TooSmall";
    };
  }

  /** The size of a claim: its capacity once bound, else what it requests. */
  public static Optional<Quantity> claimSize(PersistentVolumeClaim c) {
    if (c.getStatus() != null
        && c.getStatus().getCapacity() != null
        && c.getStatus().getCapacity().get("storage") != null) {
      return Optional.of(c.getStatus().getCapacity().get("storage"));
    }
    if (c.getSpec() != null
        && c.getSpec().getResources() != null
        && c.getSpec().getResources().getRequests() != null) {
      return Optional.ofNullable(c.getSpec().getResources().getRequests().get("storage"));
    }
    return Optional.empty();
  }

  /** A quantity as written in a spec, e.g. {@code 100Gi}. */
  public static String text(Quantity q) {
    return q.getAmount() + (q.getFormat() == null ? "" : q.getFormat());
  }

  /** Bytes of a quantity such as {@code 100Gi}. */
  public static long bytes(Quantity q) {
    return Quantity.getAmountInBytes(q).longValue();
  }

  /**
   * The newest verdict a pod reported in a termination message ({@code storage} in the summary of
   * the pre-flight container {@code preflight} or of the worker {@code worker}).
   */
  public static Optional<StorageEstimate> reported(
      List<Pod> pods, String preflight, String worker) {
    List<Pod> sorted = new ArrayList<>(pods);
    sorted.sort(
        Comparator.comparing(
                (Pod p) ->
                    p.getMetadata().getCreationTimestamp() == null
                        ? ""
                        : p.getMetadata().getCreationTimestamp())
            .reversed());
    for (Pod p : sorted) {
      for (String container : List.of(worker, preflight)) {
        Optional<JsonNode> storage =
            TerminationMessages.summary(p, container)
                .map(n -> (JsonNode) n.get("storage"))
                .filter(n -> n != null && n.isObject());
        if (storage.isPresent()) {
          JsonNode n = storage.get();
          StorageEstimate s = new StorageEstimate();
          s.estimatedBytes = n.path("neededBytes").asLong();
          s.availableBytes = n.path("availableBytes").asLong();
          s.verdict = verdict(n.path("verdict").asText(), n.path("upperBound").asBoolean());
          s.basis = n.path("basis").asText(null);
          s.suggestedSize = n.path("suggested").asText(null);
          s.checkedBy = container.equals(preflight) ? POD : WORKER;
          return Optional.of(s);
        }
      }
    }
    return Optional.empty();
  }
}
