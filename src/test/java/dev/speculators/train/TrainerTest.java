package dev.speculators.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speculators.cli.TrainCommand;
import dev.speculators.io.HostTensor;
import dev.speculators.io.PythonSupport;
import dev.speculators.io.SafeTensors;
import dev.speculators.io.SafeTensorsFile;
import dev.speculators.train.checkpoint.Checkpoints;
import dev.speculators.train.model.TttInputs;
import dev.speculators.train.optim.LearningRateSchedule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** End-to-end training runs on the upstream-format fixture dataset. */
class TrainerTest {
  static final Path FIXTURES = Path.of("src/test/resources/fixtures");
  static final Path DATA = FIXTURES.resolve("speculators-data");
  static final Path VERIFIER = DATA.resolve("verifier");
  static final ObjectMapper JSON = new ObjectMapper();

  static TrainingOptions options(
      Path out, int epochs, int totalSeqLen, int draftVocab, double valRatio) {
    return new TrainingOptions(
        VERIFIER,
        "tiny-llama-verifier",
        DATA,
        null,
        null,
        null,
        null,
        null,
        out,
        epochs,
        1e-3,
        0.01,
        LearningRateSchedule.Kind.LINEAR,
        -1,
        -1,
        totalSeqLen,
        3,
        3,
        1.0,
        TttInputs.DRAFT,
        1,
        draftVocab,
        true,
        true,
        0.05,
        1.0,
        7,
        valRatio,
        1,
        true,
        false,
        1,
        1,
        0,
        false,
        null,
        true);
  }

  @Test
  void exportsWhatVllmLoadsWithTheUpstreamTensorLayout(@TempDir Path out) throws Exception {
    List<String> log = new ArrayList<>();
    Trainer.Summary s = new Trainer(options(out, 4, 128, 128, 0.34), log::add).run();

    assertThat(s.interrupted()).isFalse();
    assertThat(s.epochsCompleted()).isEqualTo(4);
    assertThat(s.finalDir()).isEqualTo(out.resolve("final"));
    assertThat(out.resolve("vocab/d2t.npy")).exists();
    for (int e = 0; e < 4; e++) {
      assertThat(out.resolve("checkpoints/" + e + "/" + Checkpoints.STATE)).exists();
    }
    // same tensors, shapes and dtypes as upstream's checkpoint of a same-shaped draft, minus the
    // frozen embedding copy (vLLM shares the verifier's)
    Path upstream = FIXTURES.resolve("speculators-checkpoint/model.safetensors");
    try (SafeTensorsFile ours = SafeTensors.open(out.resolve("final/model.safetensors"));
        SafeTensorsFile theirs = SafeTensors.open(upstream)) {
      TreeSet<String> expected = new TreeSet<>(theirs.names());
      expected.remove("embed_tokens.weight");
      assertThat(new TreeSet<>(ours.names())).isEqualTo(expected);
      for (String name : expected) {
        assertThat(ours.info(name).dtype()).as(name).isEqualTo(theirs.info(name).dtype());
        assertThat(ours.info(name).shape()).as(name).isEqualTo(theirs.info(name).shape());
      }
      assertThat(ours.metadata()).containsEntry("format", "pt");
      // d2t/t2d are the vocabulary mapping built from token_freq.pt
      HostTensor t2d = ours.get("t2d");
      int selected = 0;
      for (boolean b : t2d.toBoolArray()) {
        selected += b ? 1 : 0;
      }
      assertThat(selected).isEqualTo(128);
    }
    JsonNode config = JSON.readTree(out.resolve("final/config.json").toFile());
    JsonNode theirs =
        JSON.readTree(FIXTURES.resolve("speculators-checkpoint/config.json").toFile());
    assertThat(config.has("model_type")).isFalse();
    assertThat(config.get("speculators_model_type").asText()).isEqualTo("eagle3");
    assertThat(config.get("draft_vocab_size").asInt())
        .isEqualTo(theirs.get("draft_vocab_size").asInt());
    assertThat(config.get("norm_before_residual").asBoolean()).isTrue();
    // upstream data ids mean "output of layer L" ([2,4,5] + final 7): vLLM numbering is +1
    assertThat(config.get("eagle_aux_hidden_state_layer_ids").toString()).isEqualTo("[3,5,6]");
    JsonNode proposal = config.at("/speculators_config/proposal_methods/0");
    assertThat(proposal.get("speculative_tokens").asInt()).isEqualTo(3);
    assertThat(config.at("/speculators_config/verifier/name_or_path").asText())
        .isEqualTo("tiny-llama-verifier");
    assertThat(config.at("/speculators_config/verifier/architectures/0").asText())
        .isEqualTo("LlamaForCausalLM");
    JsonNode layer = config.get("transformer_layer_config");
    for (String key :
        List.of(
            "hidden_size",
            "intermediate_size",
            "num_attention_heads",
            "num_key_value_heads",
            "head_dim",
            "num_hidden_layers",
            "rms_norm_eps",
            "vocab_size",
            "model_type",
            "max_position_embeddings")) {
      assertThat(layer.get(key)).as(key).isEqualTo(theirs.get("transformer_layer_config").get(key));
    }
    // intentional difference: the verifier's RoPE is copied (upstream v0.4 left the Llama default)
    JsonNode verifierConfig = JSON.readTree(VERIFIER.resolve("config.json").toFile());
    assertThat(layer.get("rope_theta").asDouble())
        .isEqualTo(verifierConfig.get("rope_theta").asDouble());

    // training makes progress: the last epoch's training loss is below the first's
    List<JsonNode> train = metrics(out, "train");
    assertThat(train).hasSize(4);
    assertThat(train.get(3).get("loss").asDouble()).isLessThan(train.get(0).get("loss").asDouble());
    assertThat(metrics(out, "val")).hasSize(4);
    assertThat(log).anyMatch(l -> l.startsWith("PROGRESS {\"kind\":\"train\""));
  }

  @Test
  void interruptedRunResumesToTheSameWeightsAsAnUninterruptedOne(@TempDir Path tmp)
      throws Exception {
    Path straight = tmp.resolve("straight");
    Trainer.Summary a = new Trainer(options(straight, 3, 64, 32, 0.0), l -> {}).run();
    assertThat(a.stepsPerEpoch()).isGreaterThan(1);

    Path resumed = tmp.resolve("resumed");
    List<Trainer> holder = new ArrayList<>();
    Trainer first =
        new Trainer(
            options(resumed, 3, 64, 32, 0.0),
            line -> {
              // stop in the middle of the second epoch, as a SIGTERM would
              if (line.contains("\"globalStep\":" + (a.stepsPerEpoch() + 1) + ",")) {
                holder.get(0).requestStop();
              }
            });
    holder.add(first);
    Trainer.Summary b1 = first.run();
    assertThat(b1.interrupted()).isTrue();
    assertThat(b1.finalDir()).isNull();
    assertThat(b1.lastCheckpoint().getFileName().toString()).startsWith("step-");
    assertThat(Checkpoints.readState(b1.lastCheckpoint()).epochComplete()).isFalse();

    Trainer.Summary b2 = new Trainer(options(resumed, 3, 64, 32, 0.0), l -> {}).run();
    assertThat(b2.interrupted()).isFalse();
    assertThat(b2.globalStep()).isEqualTo(a.globalStep());

    Map<String, HostTensor> wa =
        SafeTensors.readAll(straight.resolve("checkpoints/2/" + Checkpoints.OPTIMIZER));
    Map<String, HostTensor> wb =
        SafeTensors.readAll(resumed.resolve("checkpoints/2/" + Checkpoints.OPTIMIZER));
    assertThat(wb.keySet()).isEqualTo(wa.keySet());
    for (String name : wa.keySet()) {
      assertThat(maxAbsDiff(wa.get(name).toFloatArray(), wb.get(name).toFloatArray()))
          .as(name)
          .isLessThan(1e-6);
    }
  }

  @Test
  void refusesDataFromAnotherModel(@TempDir Path out) throws Exception {
    // the golden cases' verifier has the same hidden size but the dataset's own config is the
    // truth:
    // here we point at a directory whose config says hidden_size 32
    Path fake = out.resolve("verifier");
    Files.createDirectories(fake);
    JsonNode cfg = JSON.readTree(VERIFIER.resolve("config.json").toFile());
    ((com.fasterxml.jackson.databind.node.ObjectNode) cfg).put("hidden_size", 32);
    Files.writeString(fake.resolve("config.json"), cfg.toString());
    Files.copy(VERIFIER.resolve("model.safetensors"), fake.resolve("model.safetensors"));
    TrainingOptions o = options(out.resolve("run"), 1, 128, 32, 0.0);
    TrainingOptions bad =
        new TrainingOptions(
            fake,
            "x",
            o.data(),
            null,
            null,
            null,
            null,
            null,
            o.output(),
            1,
            1e-3,
            0.01,
            LearningRateSchedule.Kind.LINEAR,
            -1,
            -1,
            128,
            3,
            3,
            1.0,
            TttInputs.DRAFT,
            1,
            32,
            true,
            true,
            0.05,
            1.0,
            7,
            0.0,
            1,
            true,
            false,
            1,
            1,
            0,
            false,
            null,
            true);
    assertThatThrownBy(() -> new Trainer(bad, l -> {}).run())
        .hasMessageContaining("hidden size 64 differs from the verifier's hidden_size 32");
  }

  @Test
  void commandWritesTheTerminationSummary(@TempDir Path tmp) throws Exception {
    Path summary = tmp.resolve("termination-log");
    int code =
        new CommandLine(new TrainCommand())
            .execute(
                "--verifier",
                VERIFIER.toString(),
                "--verifier-name",
                "tiny",
                "--data",
                DATA.toString(),
                "--output",
                tmp.resolve("run").toString(),
                "--epochs",
                "2",
                "--total-seq-len",
                "128",
                "--draft-vocab-size",
                "32",
                "--validation-ratio",
                "0.34",
                "--termination-log",
                summary.toString());
    assertThat(code).isZero();
    JsonNode s = JSON.readTree(summary.toFile());
    assertThat(s.get("kind").asText()).isEqualTo("train");
    assertThat(s.get("epoch").asInt()).isEqualTo(2);
    assertThat(s.get("final").asText()).isEqualTo("final");
    assertThat(s.get("checkpoint").asText()).isEqualTo("checkpoints/1");
    // bestEpoch names its folder (counted from 0, like upstream's checkpoints/<n>)
    assertThat(tmp.resolve("run/checkpoints/" + s.get("bestEpoch").asInt())).isDirectory();
    // the eval's max_model_len limit: the verifier's, as exported
    assertThat(s.get("maxPositionEmbeddings").asInt())
        .isEqualTo(
            JSON.readTree(VERIFIER.resolve("config.json").toFile())
                .get("max_position_embeddings")
                .asInt());
    assertThat(s.get("fullAcc")).hasSize(3);
    assertThat(s.get("trainLoss").asDouble()).isPositive();
    assertThat(Files.size(summary)).isLessThan(4096);

    int usage = new CommandLine(new TrainCommand()).execute("--verifier", VERIFIER.toString());
    assertThat(usage).isEqualTo(2);
  }

  @Test
  void exportedSpeculatorLoadsInPython(@TempDir Path out) throws Exception {
    PythonSupport.assumeModules("torch", "safetensors");
    new Trainer(options(out, 1, 128, 32, 0.0), l -> {}).run();
    String described =
        PythonSupport.runSnippet(
            String.join(
                "\n",
                "import sys, json, torch",
                "from safetensors.torch import load_file",
                "t = load_file(sys.argv[1])",
                "c = json.load(open(sys.argv[2]))",
                "d2t = t['d2t']",
                "ok = all(v.dtype == torch.bfloat16 for k, v in t.items() if k not in ('d2t', 't2d'))",
                "print(json.dumps({'bf16': ok, 'd2t': str(d2t.dtype), 't2d': str(t['t2d'].dtype),",
                "  'ids': (torch.arange(d2t.numel()) + d2t)[:4].tolist(), 'vd': c['draft_vocab_size']}))"),
            out.resolve("final/model.safetensors").toString(),
            out.resolve("final/config.json").toString());
    JsonNode r = JSON.readTree(described.trim().lines().reduce((x, y) -> y).orElseThrow());
    assertThat(r.get("bf16").asBoolean()).isTrue();
    assertThat(r.get("d2t").asText()).isEqualTo("torch.int64");
    assertThat(r.get("t2d").asText()).isEqualTo("torch.bool");
    assertThat(r.get("vd").asInt()).isEqualTo(32);
    // target id = draft id + d2t: ascending verifier ids of the draft vocabulary
    long[] ids = JSON.convertValue(r.get("ids"), long[].class);
    assertThat(ids).isSorted();
  }

  static List<JsonNode> metrics(Path out, String type) throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    for (String l : Files.readAllLines(out.resolve("metrics.jsonl"))) {
      JsonNode n = JSON.readTree(l);
      if (n.get("type").asText().equals(type)) {
        lines.add(n);
      }
    }
    return lines;
  }

  static double maxAbsDiff(float[] a, float[] b) {
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      d = Math.max(d, Math.abs(a[i] - b[i]));
    }
    return d;
  }
}
