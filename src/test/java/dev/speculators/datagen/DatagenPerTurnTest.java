package dev.speculators.datagen;

import static dev.speculators.datagen.DatagenTestSupport.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.speculators.datagen.DatagenTestSupport.Run;
import dev.speculators.datagen.DatagenTestSupport.Sample;
import dev.speculators.datagen.source.RecordFileTest;
import dev.speculators.io.PythonSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Qwen3's template rewrites history (drops earlier {@code <think>} content), so every assistant
 * turn gets its own row; the in-process renderer and vLLM's {@code /tokenize} must agree on them.
 * Also: a Parquet source next to a JSON-lines one, and the files load in Python torch.
 */
class DatagenPerTurnTest {
  @TempDir Path tmp;
  Path model;
  Path jsonl;
  Path parquetDir;
  FakeVllmServer vllm;

  @BeforeEach
  void setUp() throws Exception {
    model = DatagenTestSupport.modelDir(tmp.resolve("qwen3"), "qwen3", 4, 8);
    jsonl = DatagenTestSupport.dataset(tmp.resolve("chats/a.jsonl"), 6, 4, 99);
    parquetDir = tmp.resolve("ultrachat/data");
    Files.createDirectories(parquetDir);
    RecordFileTest.writeUltraChatParquet(parquetDir.resolve("train_sft-00000-of-00001.parquet"), 5);
    vllm = new FakeVllmServer(model, tmp.resolve("hs"), tmp.resolve("hs").toString(), 3, 8);
  }

  @AfterEach
  void tearDown() {
    vllm.close();
  }

  Run run(Path out, String renderer, String... extra) throws Exception {
    List<String> a =
        new ArrayList<>(
            List.of(
                "--endpoint",
                vllm.endpoint(),
                "--model",
                model.toString(),
                "--data",
                jsonl.toString(),
                "--data",
                tmp.resolve("ultrachat") + ",maxSamples=4",
                "--output",
                out.toString(),
                "--seq-length",
                "512",
                "--layer-ids",
                "2,3,4",
                "--concurrency",
                "2",
                "--renderer",
                renderer,
                "--chat-template-kwargs",
                "{\"enable_thinking\": false}",
                "--progress-interval",
                "5"));
    a.addAll(List.of(extra));
    return DatagenTestSupport.run(
        tmp.resolve("log-" + out.getFileName()), a.toArray(String[]::new));
  }

  @Test
  void oneRowPerAssistantTurnAndBothRenderersAgree() throws Exception {
    Path viaVllm = tmp.resolve("via-vllm");
    Path viaJava = tmp.resolve("via-java");
    Run a = run(viaVllm, "vllm");
    assertThat(a.exitCode()).as(String.join("\n", a.log())).isZero();
    assertThat(vllm.tokenizeCalls.get()).isPositive();
    int tokenizeCalls = vllm.tokenizeCalls.get();
    Run b = run(viaJava, "reference");
    assertThat(b.exitCode()).as(String.join("\n", b.log())).isZero();
    assertThat(vllm.tokenizeCalls.get())
        .as("reference renderer does not call /tokenize")
        .isEqualTo(tokenizeCalls);

    // 6 jsonl records (record 4 without assistant): turns (k%3)+1 → 1+2+3+1+0+3 = 10; 4 UltraChat
    // rows with 1 turn
    assertThat(a.log()).anyMatch(l -> l.contains("one row per assistant turn"));
    Map<Long, Path> rowsA = DatagenTestSupport.samples(viaVllm);
    Map<Long, Path> rowsB = DatagenTestSupport.samples(viaJava);
    assertThat(rowsA).hasSize(14);
    assertThat(rowsB.keySet()).isEqualTo(rowsA.keySet());
    for (long row : rowsA.keySet()) {
      Sample sa = DatagenTestSupport.load(rowsA.get(row));
      Sample sb = DatagenTestSupport.load(rowsB.get(row));
      assertThat(sb.ids()).isEqualTo(sa.ids());
      assertThat(sb.mask()).isEqualTo(sa.mask());
      // per-turn rows end with the masked assistant turn: <|im_end|> and the newline after it
      assertThat(sa.ids()[sa.ids().length - 2]).isEqualTo(151645L);
      assertThat(sa.mask()[sa.mask().length - 1]).isEqualTo(1);
      int firstMasked = 0;
      while (sa.mask()[firstMasked] == 0) {
        firstMasked++;
      }
      long[] tail = Arrays.copyOfRange(sa.mask(), firstMasked, sa.mask().length);
      assertThat(tail).as("one contiguous masked turn").containsOnly(1L);
      // enable_thinking=false: the generation prompt already holds the empty think block, unmasked
      assertThat(Arrays.copyOfRange(sa.ids(), firstMasked - 4, firstMasked))
          .containsExactly(151667L, 271L, 151668L, 271L);
    }
    JsonNode config = JSON.readTree(viaVllm.resolve("data/data_config.json").toFile());
    assertThat(config.at("/speculators_operator/loss_mask").asText())
        .contains("one row per assistant turn");
    assertThat(
            config
                .at("/speculators_operator/content_inputs/chat_template_kwargs/enable_thinking")
                .asBoolean())
        .isFalse();
    JsonNode configB = JSON.readTree(viaJava.resolve("data/data_config.json").toFile());
    assertThat(configB.at("/speculators_operator/content_inputs/render_fingerprint_sha256"))
        .as("same rendering, same fingerprint")
        .isEqualTo(config.at("/speculators_operator/content_inputs/render_fingerprint_sha256"));
  }

  @Test
  void aTurnWithoutRenderBoundaryIsSkippedNotTrainedOnHistory() throws Exception {
    // two assistant turns in a row: rendering the second re-renders the first without its empty
    // think block, so no token boundary separates the second turn from its history
    Path data = tmp.resolve("two-in-a-row.jsonl");
    Files.writeString(
        data,
        "{\"messages\": [{\"role\": \"user\", \"content\": \"Two facts?\"},"
            + " {\"role\": \"assistant\", \"content\": \"Water is wet.\"},"
            + " {\"role\": \"assistant\", \"content\": \"Fire is hot.\"}]}\n");
    for (String renderer : List.of("vllm", "reference")) {
      Path out = tmp.resolve("unstable-" + renderer);
      Run r =
          DatagenTestSupport.run(
              tmp.resolve("log-unstable-" + renderer),
              "--endpoint",
              vllm.endpoint(),
              "--model",
              model.toString(),
              "--data",
              data.toString(),
              "--output",
              out.toString(),
              "--seq-length",
              "256",
              "--layer-ids",
              "2,3,4",
              "--renderer",
              renderer);
      assertThat(r.exitCode()).as(String.join("\n", r.log())).isZero();
      assertThat(r.log())
          .anyMatch(l -> l.contains("assistant turn 1") && l.contains("skipped: assistant turn 2"));
      assertThat(r.summary().get("emptyRows").asLong()).isEqualTo(1);
      Map<Long, Path> rows = DatagenTestSupport.samples(out);
      assertThat(rows.keySet()).containsExactly(0L);
      Sample first = DatagenTestSupport.load(rows.get(0L));
      assertThat(first.mask()[first.mask().length - 1]).isEqualTo(1);
    }
  }

  @Test
  void writtenFilesLoadInPythonTorch() throws Exception {
    PythonSupport.assumeModules("torch");
    Path out = tmp.resolve("ds");
    Run r = run(out, "vllm");
    assertThat(r.exitCode()).isZero();
    String script =
        String.join(
            "\n",
            "import json, sys, torch",
            "root = sys.argv[1]",
            "lengths = json.load(open(root + '/data/sample_lengths.json'))",
            "out = {'samples': {}, 'token_freq': None}",
            "for k, n in lengths.items():",
            "    d = torch.load(root + '/data/data_' + k + '.pt', weights_only=True)",
            "    assert list(d.keys()) == ['input_ids', 'hidden_states', 'loss_mask'], list(d.keys())",
            "    assert isinstance(d['hidden_states'], list)",
            "    assert d['input_ids'].dtype == torch.int64 and d['loss_mask'].dtype == torch.int64",
            "    assert all(h.dtype == torch.bfloat16 and tuple(h.shape) == (n, 8) for h in d['hidden_states'])",
            "    out['samples'][k] = {'ids': d['input_ids'].tolist(), 'mask': d['loss_mask'].tolist(),",
            "        'hidden': [h.float().flatten().tolist() for h in d['hidden_states']]}",
            "tf = torch.load(root + '/token_freq.pt', weights_only=True)",
            "assert isinstance(tf, dict) and all(isinstance(k, int) and isinstance(v, int) for k, v in tf.items())",
            "out['token_freq'] = {str(k): v for k, v in tf.items()}",
            "print(json.dumps(out))");
    JsonNode py = JSON.readTree(PythonSupport.runSnippet(script, out.toString()));
    Map<Long, Path> files = DatagenTestSupport.samples(out);
    assertThat(py.get("samples").size()).isEqualTo(files.size());
    long masked = 0;
    for (Map.Entry<Long, Path> e : files.entrySet()) {
      Sample s = DatagenTestSupport.load(e.getValue());
      JsonNode p = py.get("samples").get(Long.toString(e.getKey()));
      assertThat(JSON.convertValue(p.get("ids"), long[].class)).isEqualTo(s.ids());
      assertThat(JSON.convertValue(p.get("mask"), long[].class)).isEqualTo(s.mask());
      for (int j = 0; j < 3; j++) {
        float[] expected = s.hidden().get(j).toFloatArray();
        float[] actual = JSON.convertValue(p.get("hidden").get(j), float[].class);
        assertThat(actual).containsExactly(expected);
      }
      masked += Arrays.stream(s.mask()).sum();
    }
    long freqTotal = 0;
    for (JsonNode v : py.get("token_freq")) {
      freqTotal += v.asLong();
    }
    assertThat(freqTotal).isEqualTo(masked);
  }
}
