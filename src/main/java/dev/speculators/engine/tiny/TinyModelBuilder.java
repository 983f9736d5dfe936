package dev.speculators.engine.tiny;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.datagen.chat.ChatMessage;
import dev.speculators.datagen.chat.Conversation;
import dev.speculators.datagen.chat.TemplateTokenizerRenderer;
import dev.speculators.engine.GreedyDecoder;
import dev.speculators.engine.PackedCausalAttention;
import dev.speculators.engine.ReferenceModel;
import dev.speculators.engine.TargetArchitecture;
import dev.speculators.engine.TargetConfig;
import dev.speculators.io.AtomicFiles;
import dev.speculators.io.HostTensor;
import dev.speculators.io.SafeTensors;
import dev.speculators.train.Tensors;
import dev.speculators.train.model.GraphScalars;
import dev.speculators.train.model.PackedDocuments;
import dev.speculators.train.model.RopeConfig;
import dev.speculators.train.optim.AdamW;
import dev.speculators.train.optim.GradientClipping;
import dev.speculators.train.optim.LearningRateSchedule;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Builds the tiny example target: a small Llama trained from scratch, by this project's own
 * reference forward pass with autograd, on conversations from {@link TinyCorpus} rendered with its
 * chat template and tokenizer ({@link TinyTokenizer}). Next-token loss on every token of packed
 * rows (documents do not see each other), AdamW with warmup and cosine decay, global-norm clipping.
 * The result is a Hugging Face model directory (bf16 safetensors) that the reference engine,
 * transformers and vLLM can load.
 *
 * <p>Deterministic: the same settings give the same files (on the same libtorch and thread count —
 * the build runs with one torch thread).
 */
public final class TinyModelBuilder {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final TinyModelSettings s;
  private final Consumer<String> log;

  public TinyModelBuilder(TinyModelSettings settings, Consumer<String> log) {
    this.s = settings;
    this.log = log;
  }

  /**
   * @param firstLoss mean loss over the first tenth of the steps
   * @param finalLoss mean loss over the last tenth of the steps
   * @param answerAccuracy share of held-out questions answered exactly (greedy, bf16 weights)
   */
  public record Result(
      double firstLoss,
      double finalLoss,
      double answerAccuracy,
      int vocabSize,
      long parameters,
      double seconds) {}

  /** Trains the model and publishes {@code output} atomically. */
  public Result build(Path output) throws IOException {
    long start = System.nanoTime();
    TinyTokenizer tokenizer = TinyTokenizer.forCorpus();
    TargetConfig config =
        new TargetConfig(
            TargetArchitecture.LLAMA,
            s.hiddenSize(),
            s.intermediateSize(),
            s.numLayers(),
            s.numAttentionHeads(),
            s.numKeyValueHeads(),
            s.headDim(),
            tokenizer.vocabSize(),
            1e-5,
            RopeConfig.plain(10000.0),
            false,
            List.of((long) tokenizer.id(TinyTokenizer.END)));
    Result[] result = new Result[1];
    AtomicFiles.writeDirectory(
        output,
        dir -> {
          tokenizer.write(dir);
          writeConfigs(dir, config, tokenizer);
          double[] loss;
          long parameters = 0;
          try (TemplateTokenizerRenderer renderer = TemplateTokenizerRenderer.open(dir, Map.of());
              NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> weights = initialWeights(manager, config);
            for (NDArray w : weights.values()) {
              parameters += w.size();
            }
            loss = train(manager, config, weights, renderer);
            Map<String, HostTensor> out = new TreeMap<>();
            for (Map.Entry<String, NDArray> e : weights.entrySet()) {
              String name =
                  e.getKey().equals("lm_head.weight") ? "lm_head.weight" : "model." + e.getKey();
              out.put(name, Tensors.toHost(e.getValue()).toBf16());
            }
            SafeTensors.write(dir.resolve("model.safetensors"), out, Map.of("format", "pt"));
          }
          double accuracy = answerAccuracy(dir);
          result[0] =
              new Result(
                  loss[0],
                  loss[1],
                  accuracy,
                  tokenizer.vocabSize(),
                  parameters,
                  (System.nanoTime() - start) / 1e9);
        });
    return result[0];
  }

  private Map<String, NDArray> initialWeights(NDManager m, TargetConfig config) {
    SplittableRandom rng = new SplittableRandom(s.seed());
    Map<String, NDArray> w = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : ReferenceModel.expectedShapes(config).entrySet()) {
      long[] shape = e.getValue();
      int n = Math.toIntExact(Arrays.stream(shape).reduce(1, (a, b) -> a * b));
      float[] v = new float[n];
      if (shape.length == 1) {
        Arrays.fill(v, 1f); // RMSNorm weights
      } else {
        for (int i = 0; i < n; i++) {
          v[i] = (float) (rng.nextGaussian() * 0.02); // transformers' initializer_range
        }
      }
      try (NDArray blob = m.create(v, new Shape(shape))) {
        NDArray p = blob.duplicate();
        p.setRequiresGradient(true);
        w.put(e.getKey(), p);
      }
    }
    return w;
  }

  /** Returns {mean loss of the first tenth of the steps, of the last tenth}. */
  private double[] train(
      NDManager manager,
      TargetConfig config,
      Map<String, NDArray> weights,
      TemplateTokenizerRenderer renderer)
      throws IOException {
    ReferenceModel model = ReferenceModel.of(config, weights);
    TinyCorpus corpus = new TinyCorpus(s.seed());
    LearningRateSchedule schedule =
        new LearningRateSchedule(
            LearningRateSchedule.Kind.COSINE, s.learningRate(), s.steps() / 20, s.steps(), 0.5);
    int tenth = Math.max(1, s.steps() / 10);
    double head = 0;
    double tail = 0;
    List<long[]> carry = new ArrayList<>();
    try (AdamW adamw = AdamW.withTorchDefaults(weights, 0.01)) {
      for (int step = 0; step < s.steps(); step++) {
        Row row = nextRow(corpus, renderer, carry);
        double loss;
        try (NDManager sm = manager.newSubManager()) {
          adamw.zeroGrad();
          try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray l = rowLoss(sm, model, row);
            gc.backward(l);
            loss = l.getFloat();
          }
        }
        GradientClipping.clipGlobalNorm(weights.values(), 1.0);
        adamw.step(schedule.lr(step));
        if (step < tenth) {
          head += loss;
        }
        if (step >= s.steps() - tenth) {
          tail += loss;
        }
        if ((step + 1) % 50 == 0 || step + 1 == s.steps()) {
          log.accept(
              String.format(
                  Locale.ROOT,
                  "step %d/%d loss %.4f lr %.2e",
                  step + 1,
                  s.steps(),
                  loss,
                  schedule.lr(step)));
        }
      }
    }
    return new double[] {head / tenth, tail / tenth};
  }

  /** One packed row: whole conversations until the row is full (a leftover starts the next row). */
  private record Row(
      long[] ids, long[] positions, long[] targets, float[] mask, PackedDocuments docs) {}

  private Row nextRow(TinyCorpus corpus, TemplateTokenizerRenderer renderer, List<long[]> carry)
      throws IOException {
    int t = s.rowLength();
    long[] ids = new long[t];
    long[] positions = new long[t];
    long[] targets = new long[t];
    float[] mask = new float[t];
    List<Long> lengths = new ArrayList<>();
    int used = 0;
    while (true) {
      long[] doc = carry.isEmpty() ? render(corpus.nextConversation(), renderer) : carry.remove(0);
      if (doc.length > t) {
        doc = Arrays.copyOf(doc, t);
      }
      if (used + doc.length > t) {
        carry.add(doc);
        break;
      }
      for (int i = 0; i < doc.length; i++) {
        ids[used + i] = doc[i];
        positions[used + i] = i;
        if (i + 1 < doc.length) {
          targets[used + i] = doc[i + 1];
          mask[used + i] = 1f;
        }
      }
      used += doc.length;
      lengths.add((long) doc.length);
    }
    long[] lens = lengths.stream().mapToLong(Long::longValue).toArray();
    return new Row(ids, positions, targets, mask, PackedDocuments.fromLengths(lens, t));
  }

  private static long[] render(Conversation c, TemplateTokenizerRenderer renderer) {
    return renderer.render(c.prefix(c.messages().size()), false);
  }

  // mean next-token cross-entropy over the positions whose next token is in the same document
  private static NDArray rowLoss(NDManager m, ReferenceModel model, Row row) {
    int t = row.ids().length;
    NDArray prenorm =
        model.forward(
            m.create(row.ids()),
            m.create(row.positions()),
            new PackedCausalAttention(row.docs()),
            new int[0],
            new HashMap<>());
    NDArray logp = model.logits(prenorm).logSoftmax(-1);
    NDArray picked = logp.gather(m.create(row.targets()).reshape(t, 1), 1).reshape(t);
    double count = 0;
    for (float f : row.mask()) {
      count += f;
    }
    return picked
        .mul(m.create(row.mask()))
        .sum()
        .mul(GraphScalars.of(picked, -1.0 / Math.max(1, count)));
  }

  /** Greedy answers of the saved (bf16) model to held-out questions, compared word for word. */
  private double answerAccuracy(Path dir) throws IOException {
    TinyCorpus heldOut = new TinyCorpus(s.seed() ^ 0x5DEECE66DL);
    int correct = 0;
    try (ReferenceModel model = ReferenceModel.load(dir);
        TemplateTokenizerRenderer renderer = TemplateTokenizerRenderer.open(dir, Map.of())) {
      GreedyDecoder decoder = new GreedyDecoder(model);
      for (int i = 0; i < s.evalPrompts(); i++) {
        TinyCorpus.Exchange e = heldOut.nextExchange();
        List<Map<String, Object>> prompt =
            List.of(new ChatMessage(ChatMessage.USER, e.question()).toMap());
        long[] ids = renderer.render(prompt, true);
        long[] expected = renderer.encode(e.answer() + " " + TinyTokenizer.END);
        long[] got = decoder.generate(ids, expected.length + 4).tokens();
        if (Arrays.equals(got, expected)) {
          correct++;
        }
      }
    }
    return (double) correct / s.evalPrompts();
  }

  private void writeConfigs(Path dir, TargetConfig c, TinyTokenizer tokenizer) throws IOException {
    ObjectNode config = JSON.createObjectNode();
    config.putArray("architectures").add("LlamaForCausalLM");
    config.put("model_type", "llama");
    config.put("attention_bias", false);
    config.put("attention_dropout", 0.0);
    config.put("bos_token_id", tokenizer.id(TinyTokenizer.BOS));
    config.put("eos_token_id", tokenizer.id(TinyTokenizer.END));
    config.put("pad_token_id", tokenizer.id(TinyTokenizer.PAD));
    config.put("head_dim", c.headDim());
    config.put("hidden_act", "silu");
    config.put("hidden_size", c.hiddenSize());
    config.put("initializer_range", 0.02);
    config.put("intermediate_size", c.intermediateSize());
    config.put("max_position_embeddings", 512);
    config.put("mlp_bias", false);
    config.put("num_attention_heads", c.numAttentionHeads());
    config.put("num_hidden_layers", c.numLayers());
    config.put("num_key_value_heads", c.numKeyValueHeads());
    config.put("rms_norm_eps", c.rmsNormEps());
    config.put("rope_theta", c.rope().theta());
    config.putNull("rope_scaling");
    config.put("tie_word_embeddings", false);
    config.put("torch_dtype", "bfloat16");
    config.put("use_cache", true);
    config.put("vocab_size", c.vocabSize());
    AtomicFiles.writeString(dir.resolve("config.json"), JSON.writeValueAsString(config) + "\n");
    ObjectNode gen = JSON.createObjectNode();
    gen.put("bos_token_id", tokenizer.id(TinyTokenizer.BOS));
    gen.put("eos_token_id", tokenizer.id(TinyTokenizer.END));
    gen.put("pad_token_id", tokenizer.id(TinyTokenizer.PAD));
    gen.put("do_sample", false);
    AtomicFiles.writeString(
        dir.resolve("generation_config.json"), JSON.writeValueAsString(gen) + "\n");
  }
}
