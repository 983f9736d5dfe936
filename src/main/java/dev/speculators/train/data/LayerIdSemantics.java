package dev.speculators.train.data;

/**
 * What the layer ids recorded with a dataset mean (eagle3-spec §5.1).
 *
 * <p>vLLM, at serving time, feeds the draft the residual stream at the <em>input</em> of decoder
 * layer {@code k} for aux id {@code k} (id {@code N} = output of the last layer before the final
 * norm). Upstream's v0.3/v0.4 generator recorded id {@code L} for the <em>output</em> of layer
 * {@code L}, which is vLLM id {@code L + 1}. Training must export the ids in vLLM's meaning, or
 * vLLM feeds the draft different layers than it was trained on.
 */
public enum LayerIdSemantics {
  /** Id {@code k} is the input of decoder layer {@code k}; what our datagen writes. */
  VLLM,
  /** Id {@code L} is the output of decoder layer {@code L} (upstream v0.3/v0.4 datagen). */
  LAYER_OUTPUT;

  /** The vLLM id of a recorded id. */
  public int toVllm(int recordedId) {
    return this == VLLM ? recordedId : recordedId + 1;
  }
}
