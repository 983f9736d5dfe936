package dev.speculators.train.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.speculators.train.model.DenseMaskTttAttention;
import dev.speculators.train.model.DraftConfig;
import dev.speculators.train.model.Eagle3DraftModel;
import dev.speculators.train.model.FusedTttAttention;
import dev.speculators.train.model.PackedBatch;
import dev.speculators.train.model.PackedDocuments;
import dev.speculators.train.model.RopeConfig;
import dev.speculators.train.model.TttAttention;
import dev.speculators.train.model.TttInputs;
import dev.speculators.train.model.TttResult;
import dev.speculators.train.optim.AdamW;
import dev.speculators.train.optim.GradientClipping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Times full training steps (TTT forward, backward, clipping, AdamW) of a randomly initialised
 * draft on one packed row, for one attention path. Run each path in its own process so the peak
 * resident memory it reports belongs to that path alone.
 */
public final class TrainStepBenchmark {
  /** Benchmark shape. */
  public record Shape4(
      int hidden,
      int heads,
      int kvHeads,
      int intermediate,
      int vocab,
      int draftVocab,
      int seqLen,
      int tttSteps,
      int documents) {}

  /** One path's measurement. */
  public record Result(
      String path, double tokensPerSecond, double secondsPerStep, long peakRssBytes, double loss) {}

  private TrainStepBenchmark() {}

  public static Result run(Shape4 s, boolean dense, int warmup, int steps) throws IOException {
    DraftConfig c =
        new DraftConfig(
            s.hidden(),
            s.intermediate(),
            s.heads(),
            s.kvHeads(),
            s.hidden() / s.heads(),
            1,
            s.vocab(),
            s.draftVocab(),
            1e-5,
            1e-5,
            RopeConfig.plain(10000),
            true);
    try (NDManager m = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(1);
      Map<String, NDArray> p = new LinkedHashMap<>();
      int h = c.hiddenSize();
      int q = c.numAttentionHeads() * c.headDim();
      int kv = c.numKeyValueHeads() * c.headDim();
      put(m, p, "fc.weight", h, 3 * h);
      put(m, p, "layers.0.self_attn.q_proj.weight", q, 2 * h);
      put(m, p, "layers.0.self_attn.k_proj.weight", kv, 2 * h);
      put(m, p, "layers.0.self_attn.v_proj.weight", kv, 2 * h);
      put(m, p, "layers.0.self_attn.o_proj.weight", h, q);
      put(m, p, "layers.0.mlp.gate_proj.weight", c.intermediateSize(), h);
      put(m, p, "layers.0.mlp.up_proj.weight", c.intermediateSize(), h);
      put(m, p, "layers.0.mlp.down_proj.weight", h, c.intermediateSize());
      for (String n :
          new String[] {
            "layers.0.input_layernorm.weight",
            "layers.0.hidden_norm.weight",
            "layers.0.post_attention_layernorm.weight",
            "norm.weight",
            "verifier_norm.weight"
          }) {
        p.put(n, m.ones(new Shape(h)));
      }
      put(m, p, "lm_head.weight", c.draftVocabSize(), h);
      put(m, p, "verifier_lm_head.weight", c.draftVocabSize(), h);
      put(m, p, "embed_tokens.weight", c.vocabSize(), h);
      Set<String> trainable = new LinkedHashSet<>(p.keySet());
      trainable.removeIf(n -> n.startsWith("verifier_") || n.equals("embed_tokens.weight"));
      long[] d2t = new long[c.draftVocabSize()];
      TttAttention attention = dense ? new DenseMaskTttAttention() : new FusedTttAttention(m);
      Eagle3DraftModel model = new Eagle3DraftModel(c, p, trainable, d2t, attention);
      Map<String, NDArray> params = new LinkedHashMap<>();
      model.trainableNames().forEach(n -> params.put(n, p.get(n)));
      long[] lengths = new long[s.documents()];
      java.util.Arrays.fill(lengths, s.seqLen() / s.documents());
      PackedDocuments docs = PackedDocuments.fromLengths(lengths, s.seqLen());
      long[] positions = new long[s.seqLen()];
      for (int d = 0; d < docs.count(); d++) {
        for (long i = docs.start(d); i < docs.end(d); i++) {
          positions[(int) i] = i - docs.start(d) + 1;
        }
      }
      long[] mask = new long[s.seqLen()];
      java.util.Arrays.fill(mask, 0, (int) docs.paddingStart(), 1);
      double seconds = 0;
      double loss = 0;
      try (AdamW adamw = AdamW.withTorchDefaults(params, 0.01)) {
        for (int i = 0; i < warmup + steps; i++) {
          long t0 = System.nanoTime();
          try (NDManager step = m.newSubManager()) {
            PackedBatch batch =
                new PackedBatch(
                    step.randomInteger(
                        0,
                        c.vocabSize(),
                        new Shape(s.seqLen()),
                        ai.djl.ndarray.types.DataType.INT64),
                    step.randomNormal(new Shape(s.seqLen(), 3L * h)),
                    step.randomNormal(new Shape(s.seqLen(), h)),
                    step.create(mask),
                    step.create(positions),
                    docs);
            adamw.zeroGrad();
            TttResult r;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
              r = model.forward(batch, s.tttSteps(), 1.0, TttInputs.DRAFT, false);
              gc.backward(r.loss());
            }
            loss = r.lossValue();
          }
          GradientClipping.clipGlobalNorm(params.values(), 1.0);
          adamw.step(1e-4);
          if (i >= warmup) {
            seconds += (System.nanoTime() - t0) / 1e9;
          }
        }
      }
      double perStep = seconds / steps;
      return new Result(dense ? "dense" : "fused", s.seqLen() / perStep, perStep, peakRss(), loss);
    }
  }

  private static void put(NDManager m, Map<String, NDArray> p, String name, int out, int in) {
    NDArray w =
        m.randomUniform(
            -1f / (float) Math.sqrt(in), 1f / (float) Math.sqrt(in), new Shape(out, in));
    p.put(name, w);
  }

  /** VmHWM: the peak resident set of this process (Linux), or -1. */
  static long peakRss() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) {
      return -1;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return -1;
  }
}
