package dev.speculators.train.model;

import ai.djl.ndarray.NDArray;

/**
 * One packed row of T positions after the per-document shift (eagle3-spec §2.1–2.2). Batch size is
 * always 1, so the leading batch dimension is dropped.
 *
 * @param inputIds [T] int64 verifier token ids, 0 on padding
 * @param auxHiddenStates [T, 3H] concatenated auxiliary verifier states
 * @param verifierLastHiddenStates [T, H] verifier last layer before its final norm
 * @param lossMask [T] int64 0/1
 * @param positionIds [T] int64, 1.. per document, 0 on padding
 * @param documents where the documents are
 */
public record PackedBatch(
    NDArray inputIds,
    NDArray auxHiddenStates,
    NDArray verifierLastHiddenStates,
    NDArray lossMask,
    NDArray positionIds,
    PackedDocuments documents) {

  public int length() {
    return documents.length();
  }
}
