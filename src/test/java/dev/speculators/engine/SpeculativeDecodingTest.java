package dev.speculators.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.speculators.eval.AcceptanceReport;
import dev.speculators.eval.SpecDecodeCounters;
import dev.speculators.io.hf.HfModelDir;
import dev.speculators.train.model.DraftConfig;
import dev.speculators.train.model.RopeConfig;
import java.io.IOException;
import java.nio.file.Path;
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
          new DraftConfig(t.hiddenSize(), 96, t.numAttentionHeads(), t.numKeyValueHeads(), t.headDim(), 1,
              t.vocabSize(), 64, 1e-5, t.rmsNormEps(), RopeConfig.plain(10000), true);
      long[] d2t = new long[64];
      for (int i = 0; i < d2t.length; i++) {
        d2t[i] = i; // draft id i is target id 2i
      }
      GreedyDecoder greedy = new GreedyDecoder(target);
      SplittableRandom rng = new SplittableRandom(5);
      for (long seed = 0; seed < 2; seed++) {
        try (Speculator draft = Speculator.untrained(config, new int[] {2, 1, 0}, d2t, dir, target, seed)) {
          for (int k = 1; k <= 5; k++) {
            long[] prompt = randomPrompt(rng, 3 + k, t.vocabSize());
            GreedyDecoder.Generation plain = greedy.generate(prompt, 20);
            SpeculativeDecoder.Result spec = new SpeculativeDecoder(target, draft, k).generate(prompt, 20);
            assertThat(spec.tokens()).as("k=%d seed=%d", k, seed).containsExactly(plain.tokens());
            assertConsistent(spec.counters(), k, spec.tokens().length, spec.targetPasses());
          }
        }
      }
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
