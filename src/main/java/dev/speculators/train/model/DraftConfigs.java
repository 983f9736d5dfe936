package dev.speculators.train.model;

import dev.speculators.io.hf.HfModelDir;
import java.util.function.Consumer;

/** Derives the draft's shape from the verifier's {@code config.json}. */
public final class DraftConfigs {
  private DraftConfigs() {}

  /**
   * The draft mirrors the verifier's attention geometry, MLP width, norm epsilon and RoPE (theta
   * and scaling are copied, so training and serving rotate positions like the verifier does; a
   * scaling type this trainer cannot reproduce is dropped with a warning — the exported config then
   * says {@code rope_scaling: null} and vLLM serves exactly what was trained).
   */
  public static DraftConfig fromVerifier(
      HfModelDir verifier,
      int numLayers,
      int draftVocabSize,
      boolean normBeforeResidual,
      Consumer<String> warnings) {
    RopeConfig rope =
        RopeConfig.fromHf(verifier.ropeTheta(), verifier.ropeScaling())
            .orElseGet(
                () -> {
                  warnings.accept(
                      "verifier rope_scaling "
                          + verifier.ropeScaling()
                          + " is not supported by the trainer; the draft uses plain RoPE with"
                          + " theta "
                          + verifier.ropeTheta()
                          + " (written to the exported config)");
                  return RopeConfig.plain(verifier.ropeTheta());
                });
    int vocab = verifier.vocabSize();
    String act = verifier.textConfig().path("hidden_act").asText("silu");
    if (!act.equals("silu")) {
      warnings.accept(
          "verifier hidden_act is '"
              + act
              + "'; the draft MLP uses silu (SwiGLU) like vLLM's EAGLE3 head");
    }
    int intermediate;
    if (verifier.textConfig().hasNonNull("intermediate_size")) {
      intermediate = verifier.intermediateSize();
    } else {
      // mixture-of-experts verifiers have no dense MLP width; upstream uses 3H for the draft
      intermediate = 3 * verifier.hiddenSize();
      warnings.accept(
          "verifier has no intermediate_size; the draft MLP uses 3·hidden_size = " + intermediate);
    }
    return new DraftConfig(
        verifier.hiddenSize(),
        intermediate,
        verifier.numAttentionHeads(),
        verifier.numKeyValueHeads(),
        verifier.headDim(),
        numLayers,
        vocab,
        draftVocabSize <= 0 ? vocab : draftVocabSize,
        verifier.rmsNormEps(),
        verifier.rmsNormEps(),
        rope,
        normBeforeResidual);
  }
}
