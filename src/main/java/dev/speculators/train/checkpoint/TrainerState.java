package dev.speculators.train.checkpoint;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Where training stood when a checkpoint was written ({@code trainer_state.json}).
 *
 * @param epoch the epoch in progress (0-based)
 * @param stepInEpoch optimizer steps already done in {@code epoch}
 * @param epochComplete true for an end-of-epoch checkpoint (resume starts at epoch + 1)
 * @param globalStep optimizer steps since the start of training
 * @param trainLoss mean training loss of the epoch so far
 * @param valLoss validation loss of the epoch (NaN if not validated yet)
 * @param bestValLoss lowest validation loss seen so far
 * @param bestEpoch epoch of {@code bestValLoss} (-1 if none)
 * @param runFingerprint hash of the settings that must not change across a resume
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TrainerState(
    int epoch,
    long stepInEpoch,
    boolean epochComplete,
    long globalStep,
    double trainLoss,
    double valLoss,
    double bestValLoss,
    int bestEpoch,
    String runFingerprint) {

  /** The epoch and step to continue from. */
  public int resumeEpoch() {
    return epochComplete ? epoch + 1 : epoch;
  }

  public long resumeStepInEpoch() {
    return epochComplete ? 0 : stepInEpoch;
  }
}
