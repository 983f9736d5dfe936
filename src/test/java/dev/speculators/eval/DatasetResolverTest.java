package dev.speculators.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.speculators.io.hub.FakeHubServer;
import dev.speculators.io.hub.HfHub;
import dev.speculators.io.hub.RepoType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetResolverTest {
  @TempDir Path tmp;
  private FakeHubServer hubServer;
  private DatasetResolver resolver;
  private final List<String> log = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    hubServer = new FakeHubServer();
    hubServer
        .addFile(RepoType.DATASET, "RedHatAI/speculator_benchmarks", "math_reasoning.jsonl", "{}\n")
        .addFile(RepoType.DATASET, "RedHatAI/speculator_benchmarks", "coding.jsonl", "{}\n")
        .addFile(RepoType.DATASET, "RedHatAI/speculator_benchmarks", "README.md", "#\n")
        .addFile(RepoType.DATASET, "org/parquet-only", "data/train.parquet", "PAR1");
    HfHub hub =
        new HfHub(
            hubServer.endpoint(),
            null,
            tmp.resolve("cache"),
            false,
            HfHub.Options.defaults().withLog(log::add));
    resolver = new DatasetResolver(hub, log::add);
  }

  @AfterEach
  void tearDown() {
    hubServer.close();
  }

  @Test
  void hubFilesAndWholeHubDatasets() throws Exception {
    List<EvalDataset> one =
        resolver.resolve(List.of("RedHatAI/speculator_benchmarks:math_reasoning.jsonl"));
    assertThat(one)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.name()).isEqualTo("math_reasoning");
              assertThat(d.kind()).isEqualTo(EvalDataset.Kind.HUB_FILE);
              assertThat(d.file()).isRegularFile();
              assertThat(d.file().toString()).contains("datasets--RedHatAI--speculator_benchmarks");
            });
    List<EvalDataset> all = resolver.resolve(List.of("RedHatAI/speculator_benchmarks"));
    assertThat(all).extracting(EvalDataset::name).containsExactly("coding", "math_reasoning");
    assertThat(all)
        .allSatisfy(d -> assertThat(d.spec()).isEqualTo("RedHatAI/speculator_benchmarks"));
  }

  @Test
  void hubErrorsNameWhatExists() {
    assertThatThrownBy(() -> resolver.resolve(List.of("RedHatAI/speculator_benchmarks:math.jsonl")))
        .isInstanceOf(EvalException.class)
        .hasMessageContaining(
            "has no file 'math.jsonl'; its .jsonl files: coding.jsonl, math_reasoning.jsonl");
    assertThatThrownBy(() -> resolver.resolve(List.of("org/parquet-only")))
        .hasMessageContaining("has no .jsonl files (it has: data/train.parquet)");
    assertThatThrownBy(() -> resolver.resolve(List.of("org/missing:x.jsonl")))
        .hasMessageContaining("--data org/missing:x.jsonl: dataset 'org/missing' does not exist");
  }

  @Test
  void localFilesAndFoldersAreLocal() throws Exception {
    Path dir = tmp.resolve("bench");
    Files.createDirectories(dir.resolve("nested"));
    Files.writeString(dir.resolve("b.jsonl"), "{}\n");
    Files.writeString(dir.resolve("a.jsonl"), "{}\n");
    Files.writeString(dir.resolve("nested/c.jsonl"), "{}\n");
    Files.writeString(dir.resolve("notes.txt"), "x");
    List<EvalDataset> ds =
        resolver.resolve(List.of(dir.toString(), dir.resolve("a.jsonl").toString()));
    assertThat(ds).extracting(EvalDataset::name).containsExactly("a", "b", "nested_c", "a_2");
    assertThat(ds).allSatisfy(d -> assertThat(d.kind()).isEqualTo(EvalDataset.Kind.LOCAL_FILE));
    assertThat(ds.get(0).file()).isEqualTo(dir.resolve("a.jsonl").toAbsolutePath());

    Path empty = Files.createDirectories(tmp.resolve("empty"));
    assertThatThrownBy(() -> resolver.resolve(List.of(empty.toString())))
        .hasMessageContaining("has no .jsonl files");
    Path bin = Files.writeString(tmp.resolve("x.bin"), "x");
    assertThatThrownBy(() -> resolver.resolve(List.of(bin.toString())))
        .hasMessageContaining("unsupported file type");
    assertThatThrownBy(() -> resolver.resolve(List.of("/nowhere/at/all.jsonl")))
        .hasMessageContaining("no such file");
  }

  @Test
  void everythingElseGoesToGuidellmAsIs() throws Exception {
    List<EvalDataset> ds =
        resolver.resolve(List.of("emulated", "prompt_tokens=256,output_tokens=128", "pooled"));
    assertThat(ds).extracting(EvalDataset::kind).containsOnly(EvalDataset.Kind.GUIDELLM);
    assertThat(ds)
        .extracting(EvalDataset::builtin)
        .containsExactly("emulated", "prompt_tokens=256,output_tokens=128", "pooled");
    assertThat(ds)
        .extracting(EvalDataset::name)
        .containsExactly("emulated", "prompt_tokens_256_output_tokens_128", "pooled_2");
  }
}
