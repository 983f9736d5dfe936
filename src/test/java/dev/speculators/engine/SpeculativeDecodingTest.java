package dev.speculators.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.speculators.datagen.chat.TemplateTokenizerRenderer;
import dev.speculators.engine.eval.PromptFile;
import dev.speculators.eval.AcceptanceReport;
import dev.speculators.eval.SpecDecodeCounters;
import dev.speculators.io.hf.HfModelDir;
import dev.speculators.train.model.DraftConfig;
import dev.speculators.train.model.RopeConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Speculation is lossless: the output equals plain greedy decoding whatever the draft proposes. */
class SpeculativeDecodingTest {
  private static final Path LLAMA = Path.of("src/test/resources/engine/llama");

  @Test
  void untrainedDraftsOnARandomTargetChangeNothingAndCountLikeVllm() throws IOException {
    try (ReferenceModel target = ReferenceModel.load(LLAMA);
        HfModelDir dir = HfModelDir.open(LLAMA)) {
      TargetConfig t = target.config();
      DraftConfig config =
          new DraftConfig(
              t.hiddenSize(),
              96,
              t.numAttentionHeads(),
              t.numKeyValueHeads(),
              t.headDim(),
              1,
              t.vocabSize(),
              64,
              1e-5,
              t.rmsNormEps(),
              RopeConfig.plain(10000),
              true);
      long[] d2t = new long[64];
      for (int i = 0; i < d2t.length; i++) {
        d2t[i] = i; // draft id i is target id 2i
      }
      GreedyDecoder greedy = new GreedyDecoder(target);
      SplittableRandom rng = new SplittableRandom(5);
      for (long seed = 0; seed < 2; seed++) {
        try (Speculator draft =
            Speculator.untrained(config, new int[] {2, 1, 0}, d2t, dir, target, seed)) {
          for (int k = 1; k <= 5; k++) {
            long[] prompt = randomPrompt(rng, 3 + k, t.vocabSize());
            GreedyDecoder.Generation plain = greedy.generate(prompt, 20);
            SpeculativeDecoder.Result spec =
                new SpeculativeDecoder(target, draft, k).generate(prompt, 20);
            assertThat(spec.tokens()).as("k=%d seed=%d", k, seed).containsExactly(plain.tokens());
            assertConsistent(spec.counters(), k, spec.tokens().length, spec.targetPasses());
          }
        }
      }
    }
  }

  @Test
  void theTrainedTinyDraftIsAcceptedAndChangesNothingForKFrom1To5() throws Exception {
    Path tiny = Path.of("examples/local/tiny-model");
    List<List<Map<String, Object>>> prompts =
        PromptFile.read(Path.of("examples/local/data/prompts.jsonl"), null, 12);
    try (ReferenceModel target = ReferenceModel.load(tiny);
        HfModelDir dir = HfModelDir.open(tiny);
        TemplateTokenizerRenderer renderer = TemplateTokenizerRenderer.open(tiny, Map.of());
        Speculator trained =
            Speculator.load(Path.of("src/test/resources/engine/tiny-draft"), target);
        Speculator untrained = trained.untrainedTwin(dir, target, 0)) {
      assertThat(trained.auxLayerIds()).containsExactly(1, 2, 3);
      GreedyDecoder greedy = new GreedyDecoder(target);
      for (int k = 1; k <= 5; k++) {
        SpecDecodeCounters sumTrained = SpecDecodeCounters.ZERO;
        SpecDecodeCounters sumUntrained = SpecDecodeCounters.ZERO;
        for (List<Map<String, Object>> prompt : prompts) {
          long[] ids = renderer.render(prompt, true);
          long[] plain = greedy.generate(ids, 40).tokens();
          for (Speculator draft : List.of(trained, untrained)) {
            SpeculativeDecoder.Result r =
                new SpeculativeDecoder(target, draft, k).generate(ids, 40);
            assertThat(r.tokens())
                .as("k=%d %s %s", k, draft.description(), prompt)
                .containsExactly(plain);
            assertConsistent(r.counters(), k, r.tokens().length, r.targetPasses());
            if (draft == trained) {
              sumTrained = sumTrained.plus(r.counters());
            } else {
              sumUntrained = sumUntrained.plus(r.counters());
            }
          }
        }
        double trainedLength = AcceptanceReport.of(sumTrained).meanAcceptanceLength();
        assertThat(trainedLength)
            .as("k=%d", k)
            .isGreaterThan(AcceptanceReport.of(sumUntrained).meanAcceptanceLength() + 0.5);
      }
      // a budget that ends inside an accepted run of draft tokens cuts the output there
      long[] ids = renderer.render(prompts.get(0), true);
      long[] plain = greedy.generate(ids, 3).tokens();
      assertThat(new SpeculativeDecoder(target, trained, 5).generate(ids, 3).tokens())
          .containsExactly(plain);
    }
  }

  @Test
  void aSpeculatorForAnotherTargetIsRefused() throws IOException {
    try (ReferenceModel llama = ReferenceModel.load(LLAMA)) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> Speculator.load(Path.of("src/test/resources/engine/tiny-draft"), llama))
          .hasMessageContaining("trained for another model");
    }
  }

  static void assertConsistent(SpecDecodeCounters c, int k, int outputTokens, int targetPasses) {
    assertThat(c.positions()).isEqualTo(k);
    assertThat(c.draftTokens()).isEqualTo(c.drafts() * k);
    long[] perPos = c.acceptedPerPosition();
    long sum = 0;
    for (int i = 0; i < perPos.length; i++) {
      sum += perPos[i];
      if (i > 0) {
        assertThat(perPos[i]).isLessThanOrEqualTo(perPos[i - 1]);
      }
    }
    assertThat(sum).isEqualTo(c.acceptedTokens());
    // one pass for the prefill and one per draft
    assertThat(targetPasses).isEqualTo(c.drafts() + 1);
    // every verification emits its accepted tokens and one more; the last may be cut at the limit
    assertThat(outputTokens).isLessThanOrEqualTo((int) (1 + c.drafts() + c.acceptedTokens()));
    AcceptanceReport r = AcceptanceReport.of(c);
    assertThat(r.meanAcceptanceLength()).isBetween(1.0, 1.0 + k);
  }

  static long[] randomPrompt(SplittableRandom rng, int length, int vocab) {
    long[] p = new long[length];
    for (int i = 0; i < length; i++) {
      p[i] = 3 + rng.nextInt(vocab - 3);
    }
    return p;
  }
}
