package dev.speculators.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speculators.cli.TrainCommand;
import dev.speculators.io.HostTensor;
import dev.speculators.io.Npy;
import dev.speculators.io.SafeTensors;
import dev.speculators.io.SafeTensorsFile;
import dev.speculators.train.model.TttInputs;
import dev.speculators.train.optim.LearningRateSchedule;
import dev.speculators.train.vocab.VocabMapping;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Training with what current upstream speculators hands over: a precomputed vocabulary mapping
 * ({@code --d2t-path/--t2d-path}) and a speculators 0.5+ dataset (preprocessed Arrow dataset +
 * {@code hidden_states/hs_<i>.safetensors}).
 */
class InteropTrainingTest {
  static final Path FIXTURES = Path.of("src/test/resources/fixtures");
  static final Path V04_DATA = FIXTURES.resolve("speculators-data");
  static final Path VERIFIER = V04_DATA.resolve("verifier");
  static final Path MAPPING = V04_DATA.resolve("vocab_mapping");
  static final Path V05_DATA = Path.of("src/test/resources/train/speculators-0.5/dataset");
  static final ObjectMapper JSON = new ObjectMapper();

  static TrainingOptions options(
      Path data, Path out, Path d2t, Path t2d, int draftVocab, List<Integer> layerIds) {
    return new TrainingOptions(
        VERIFIER,
        "tiny-llama-verifier",
        data,
        null,
        null,
        d2t,
        t2d,
        layerIds,
        out,
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
        draftVocab,
        true,
        true,
        0.05,
        1.0,
        7,
        0.25,
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
  void trainsOnASpeculators05DatasetThroughTheCommand(@TempDir Path tmp) throws Exception {
    JsonNode s =
        trainThroughTheCommand(V05_DATA, tmp, "--epochs", "2", "--validation-ratio", "0.25");
    Path out = tmp.resolve("run");
    assertThat(s.get("final").asText()).isEqualTo("final");
    assertThat(s.get("globalStep").asInt()).isPositive();
    assertThat(s.get("valLoss").asDouble()).isPositive();
    JsonNode config = JSON.readTree(out.resolve("final/config.json").toFile());
    // vLLM captured [2, N/2, N-3] + N for N = 8 (upstream's defaults), recorded as such
    assertThat(config.get("eagle_aux_hidden_state_layer_ids").toString()).isEqualTo("[2,4,5]");
    assertThat(config.get("draft_vocab_size").asInt()).isEqualTo(32);
    try (SafeTensorsFile model = SafeTensors.open(out.resolve("final/model.safetensors"))) {
      assertThat(model.info("fc.weight").shape()).containsExactly(64, 3 * 64);
      assertThat(model.info("d2t").shape()).containsExactly(32);
    }
    // the mapping came from the dataset's token_freq.pt, written by upstream's prepare_data.py
    assertThat(VocabMapping.read(out.resolve("vocab")).draftVocabSize()).isEqualTo(32);
  }

  @Test
  void hiddenStatesElsewhereTrainAsInPlaceWithTheHiddenStatesPath(@TempDir Path tmp)
      throws Exception {
    // upstream's tutorial keeps them apart: --data-path ./data --hidden-states-path ./output/...
    Path data = tmp.resolve("data");
    Path states = tmp.resolve("output/hidden_states");
    try (Stream<Path> files = Files.walk(V05_DATA)) {
      for (Path f : files.toList()) {
        Path rel = V05_DATA.relativize(f);
        Path to =
            rel.startsWith("hidden_states")
                ? states.resolve(Path.of("hidden_states").relativize(rel).toString())
                : data.resolve(rel.toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(to);
        } else {
          Files.createDirectories(to.getParent());
          Files.copy(f, to);
        }
      }
    }
    assertThat(data.resolve("hidden_states")).doesNotExist();
    assertThat(states.resolve("hs_0.safetensors")).exists();

    JsonNode inPlace = trainThroughTheCommand(V05_DATA, tmp.resolve("a"), "--epochs", "1");
    JsonNode apart =
        trainThroughTheCommand(
            data,
            tmp.resolve("b"),
            "--epochs",
            "1",
            "--hidden-states-path",
            states.toString(),
            "--on-missing",
            "raise");
    assertThat(apart.get("globalStep")).isEqualTo(inPlace.get("globalStep"));
    assertThat(apart.get("trainLoss")).isEqualTo(inPlace.get("trainLoss"));
    assertThat(apart.get("valLoss")).isEqualTo(inPlace.get("valLoss"));

    // without the flag the folder is not found, and the error names the flag
    assertThat(
            new CommandLine(new TrainCommand())
                .execute(
                    "--verifier",
                    VERIFIER.toString(),
                    "--data-path",
                    data.toString(),
                    "--save-path",
                    tmp.resolve("c").toString()))
        .isNotZero();
    // upstream's default, generate, needs a vLLM server during training: refused with what to do
    assertThat(
            new CommandLine(new TrainCommand())
                .execute(
                    "--verifier",
                    VERIFIER.toString(),
                    "--data-path",
                    V05_DATA.toString(),
                    "--save-path",
                    tmp.resolve("d").toString(),
                    "--on-missing",
                    "generate"))
        .isNotZero();
    assertThat(tmp.resolve("d")).doesNotExist();
  }

  /** Trains into {@code out/run} through the command and returns its summary. */
  private static JsonNode trainThroughTheCommand(Path data, Path out, String... more)
      throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--verifier",
                VERIFIER.toString(),
                "--data-path",
                data.toString(),
                "--save-path",
                out.resolve("run").toString(),
                "--total-seq-len",
                "96",
                "--draft-vocab-size",
                "32",
                "--termination-log",
                out.resolve("summary.json").toString()));
    args.addAll(List.of(more));
    assertThat(new CommandLine(new TrainCommand()).execute(args.toArray(String[]::new))).isZero();
    return JSON.readTree(out.resolve("summary.json").toFile());
  }

  @Test
  void targetLayerIdsAreWhatTheSpeculatorRecords(@TempDir Path tmp) throws Exception {
    Trainer.Summary s =
        new Trainer(options(V05_DATA, tmp, null, null, 32, List.of(1, 3, 6)), l -> {}).run();
    assertThat(s.finalDir()).isNotNull();
    JsonNode config = JSON.readTree(tmp.resolve("final/config.json").toFile());
    assertThat(config.get("eagle_aux_hidden_state_layer_ids").toString()).isEqualTo("[1,3,6]");
  }

  @Test
  void trainsWithAPrecomputedMappingThroughTheCommand(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("run");
    int code =
        new CommandLine(new TrainCommand())
            .execute(
                "--verifier",
                VERIFIER.toString(),
                "--data",
                V04_DATA.toString(),
                "--output",
                out.toString(),
                "--epochs",
                "1",
                "--total-seq-len",
                "128",
                "--d2t-path",
                MAPPING.resolve("d2t.npy").toString(),
                "--t2d-path",
                MAPPING.resolve("t2d.npy").toString(),
                "--termination-log",
                tmp.resolve("summary.json").toString());
    assertThat(code).isZero();
    // upstream's own mapping files, exported unchanged: what vLLM maps draft ids with
    HostTensor d2t = Npy.read(MAPPING.resolve("d2t.npy"));
    HostTensor t2d = Npy.read(MAPPING.resolve("t2d.npy"));
    try (SafeTensorsFile model = SafeTensors.open(out.resolve("final/model.safetensors"))) {
      assertThat(model.get("d2t").toLongArray()).containsExactly(d2t.toLongArray());
      assertThat(model.get("t2d").toBoolArray()).containsExactly(t2d.toBoolArray());
    }
    JsonNode config = JSON.readTree(out.resolve("final/config.json").toFile());
    assertThat(config.get("draft_vocab_size").asInt()).isEqualTo(32);
    assertThat(VocabMapping.read(out.resolve("vocab")))
        .isEqualTo(VocabMapping.read(MAPPING.resolve("d2t.npy"), MAPPING.resolve("t2d.npy")));
  }

  @Test
  void refusesMappingsThatDoNotFit(@TempDir Path tmp) throws Exception {
    Path d2t = MAPPING.resolve("d2t.npy");
    Path t2d = MAPPING.resolve("t2d.npy");
    // both or neither, as upstream
    assertThatThrownBy(() -> options(V04_DATA, tmp, d2t, null, 0, null))
        .hasMessageContaining("--d2t-path and --t2d-path go together")
        .hasMessageContaining("got only --d2t-path");
    int code =
        new CommandLine(new TrainCommand())
            .execute(
                "--verifier",
                VERIFIER.toString(),
                "--data",
                V04_DATA.toString(),
                "--output",
                tmp.resolve("cli").toString(),
                "--t2d-path",
                t2d.toString());
    assertThat(code).isNotZero();
    assertThat(tmp.resolve("cli")).doesNotExist();

    // the draft's vocabulary size, when given, must be the mapping's
    assertThatThrownBy(
            () ->
                new Trainer(options(V04_DATA, tmp.resolve("a"), d2t, t2d, 64, null), l -> {}).run())
        .hasMessageContaining("d2t maps 32 draft ids but --draft-vocab-size is 64");

    // t2d must cover the verifier's vocabulary
    Path big = Files.createDirectories(tmp.resolve("big"));
    VocabMapping.fromFrequencies(Map.of(3L, 5L, 700L, 2L), 32, 1000).write(big);
    assertThatThrownBy(
            () ->
                new Trainer(
                        options(
                            V04_DATA,
                            tmp.resolve("b"),
                            big.resolve("d2t.npy"),
                            big.resolve("t2d.npy"),
                            0,
                            null),
                        l -> {})
                    .run())
        .hasMessageContaining("t2d covers 1000 token ids but the verifier's vocab_size is 512");

    // the two files must describe one selection
    Path odd = Files.createDirectories(tmp.resolve("odd"));
    boolean[] mask = Npy.read(t2d).toBoolArray();
    for (int i = 0; i < mask.length; i++) {
      if (mask[i]) {
        mask[i] = false;
        break;
      }
    }
    Npy.write(odd.resolve("t2d.npy"), HostTensor.ofBools(mask, mask.length));
    assertThatThrownBy(
            () ->
                new Trainer(
                        options(V04_DATA, tmp.resolve("c"), d2t, odd.resolve("t2d.npy"), 0, null),
                        l -> {})
                    .run())
        .hasMessageContaining("is inconsistent: t2d selects 31 ids but d2t has 32 entries");
    assertThatThrownBy(
            () ->
                new Trainer(
                        options(V04_DATA, tmp.resolve("d"), tmp.resolve("none.npy"), t2d, 0, null),
                        l -> {})
                    .run())
        .hasMessageContaining("none.npy does not exist");
  }

  @Test
  void aRunDoesNotResumeWithAnotherMapping(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("run");
    List<String> log = new ArrayList<>();
    Path d2t = MAPPING.resolve("d2t.npy");
    Path t2d = MAPPING.resolve("t2d.npy");
    new Trainer(options(V04_DATA, out, d2t, t2d, 0, null), log::add).run();
    assertThat(log).anyMatch(l -> l.contains("vocabulary mapping: 32 of 512 tokens from " + d2t));
    Path other = Files.createDirectories(tmp.resolve("other"));
    VocabMapping.fromFrequencies(Map.of(400L, 9L), 32, 512).write(other);
    assertThatThrownBy(
            () ->
                new Trainer(
                        options(
                            V04_DATA,
                            out,
                            other.resolve("d2t.npy"),
                            other.resolve("t2d.npy"),
                            0,
                            null),
                        l -> {})
                    .run())
        .hasMessageContaining("belongs to a run with other data or model settings");
  }
}
