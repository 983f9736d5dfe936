package dev.speculators.train.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.io.HalfFloats;
import dev.speculators.io.HostTensor;
import dev.speculators.io.SafeTensors;
import dev.speculators.io.dataset.DatasetLayout;
import dev.speculators.io.dataset.SampleFile;
import dev.speculators.io.dataset.SampleLengths;
import dev.speculators.io.dataset.TokenFrequencies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A random dataset in the upstream speculators v0.4 layout ({@code data/data_<i>.pt} with bf16
 * hidden states, {@code sample_lengths.json}, {@code data_config.json}, {@code token_freq.pt}) and
 * a Llama verifier directory with just the tensors training reads (embedding, lm_head, final norm),
 * so {@code bench} runs the real trainer, and a PyTorch baseline reads the same files.
 */
public final class SyntheticDataset {
  /** Upstream v0.4's default capture for an 8-layer verifier ("output of layer" numbering). */
  private static final int[] LAYER_IDS = {2, 4, 5, 7};

  private static final int VERIFIER_LAYERS = 8;
  private static final ObjectMapper JSON = new ObjectMapper();

  private SyntheticDataset() {}

  /**
   * Writes {@code <root>/verifier} and {@code <root>/dataset}.
   *
   * @return the dataset root (with {@code data/})
   */
  public static Path write(Path root, BenchShape s, long seed) throws IOException {
    writeVerifier(root.resolve("verifier"), s, seed);
    Path dataset = root.resolve("dataset");
    DatasetLayout layout = new DatasetLayout(dataset);
    Files.createDirectories(layout.dataDir());
    SplittableRandom rng = new SplittableRandom(seed + 1);
    Map<Integer, Integer> lengths = new TreeMap<>();
    Map<Long, Long> freq = new TreeMap<>();
    for (int i = 0; i < s.samples(); i++) {
      int n = s.sampleLength();
      long[] ids = new long[n];
      long[] mask = new long[n];
      for (int t = 0; t < n; t++) {
        ids[t] = rng.nextInt(s.vocab());
        // the first eighth is the "prompt": no loss there, like a chat sample
        mask[t] = t < n / 8 ? 0 : 1;
        if (mask[t] == 1) {
          freq.merge(ids[t], 1L, Long::sum);
        }
      }
      List<HostTensor> states = new ArrayList<>();
      for (int l = 0; l < LAYER_IDS.length; l++) {
        states.add(bf16(rng, (long) n * s.hidden(), 1.0, n, s.hidden()));
      }
      new SampleFile(HostTensor.ofLongs(ids, n), states, HostTensor.ofLongs(mask, n))
          .write(layout.sampleFile(i));
      lengths.put(i, n);
    }
    SampleLengths.write(layout.sampleLengthsFile(), lengths);
    TokenFrequencies.write(layout.tokenFreqFile(), freq);
    ObjectNode config = JSON.createObjectNode();
    config.put("version", "2.0");
    config.put("speculators_version", "0.4.0");
    config.putObject("model").put("hidden_size", s.hidden());
    ObjectNode hs = config.putObject("hidden_states");
    var ids = hs.putArray("layer_ids");
    for (int id : LAYER_IDS) {
      ids.add(id);
    }
    hs.put("description", "random states written by the bench command");
    config.putObject("data").put("num_samples", s.samples());
    Files.writeString(layout.dataConfigFile(), JSON.writeValueAsString(config));
    return dataset;
  }

  private static void writeVerifier(Path dir, BenchShape s, long seed) throws IOException {
    Files.createDirectories(dir);
    ObjectNode c = JSON.createObjectNode();
    c.putArray("architectures").add("LlamaForCausalLM");
    c.put("model_type", "llama");
    c.put("hidden_size", s.hidden());
    c.put("intermediate_size", s.intermediate());
    c.put("num_attention_heads", s.heads());
    c.put("num_key_value_heads", s.kvHeads());
    c.put("head_dim", s.hidden() / s.heads());
    c.put("num_hidden_layers", VERIFIER_LAYERS);
    c.put("vocab_size", s.vocab());
    c.put("rms_norm_eps", 1e-5);
    c.put("rope_theta", 10000.0);
    c.put("max_position_embeddings", 4096);
    c.put("hidden_act", "silu");
    c.put("tie_word_embeddings", false);
    c.put("torch_dtype", "bfloat16");
    Files.writeString(dir.resolve("config.json"), JSON.writeValueAsString(c));
    SplittableRandom rng = new SplittableRandom(seed);
    long n = (long) s.vocab() * s.hidden();
    Map<String, HostTensor> w = new LinkedHashMap<>();
    w.put("model.embed_tokens.weight", bf16(rng, n, 0.02, s.vocab(), s.hidden()));
    w.put("lm_head.weight", bf16(rng, n, 0.02, s.vocab(), s.hidden()));
    float[] ones = new float[s.hidden()];
    java.util.Arrays.fill(ones, 1f);
    w.put("model.norm.weight", HostTensor.ofFloats(ones, s.hidden()).toBf16());
    SafeTensors.write(dir.resolve("model.safetensors"), w, Map.of("format", "pt"));
  }

  // uniform values with standard deviation `std`, as bf16
  private static HostTensor bf16(SplittableRandom rng, long n, double std, long... shape) {
    short[] bits = new short[Math.toIntExact(n)];
    double half = std * Math.sqrt(3);
    for (int i = 0; i < bits.length; i++) {
      bits[i] = HalfFloats.floatToBf16((float) ((rng.nextDouble() * 2 - 1) * half));
    }
    return HostTensor.ofBf16Bits(bits, shape);
  }
}
