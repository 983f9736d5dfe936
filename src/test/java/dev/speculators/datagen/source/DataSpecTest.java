package dev.speculators.datagen.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSpecTest {
  @TempDir Path dir;

  @Test
  void presetsWithOptions() {
    DataSpec s = DataSpec.parse("sharegpt,maxSamples=500,turnDropout=true");
    assertThat(s.kind()).isEqualTo(DataSpec.Kind.PRESET);
    assertThat(s.repo()).isEqualTo("Aeala/ShareGPT_Vicuna_unfiltered");
    assertThat(s.maxSamples()).isEqualTo(500);
    assertThat(s.turnDropoutOr(false)).isTrue();
    assertThat(DataSpec.parse("UltraChat").repo()).isEqualTo("HuggingFaceH4/ultrachat_200k");
    assertThat(DataSpec.parse("ultrachat").turnDropoutOr(true)).isTrue();
  }

  @Test
  void localPathWins() throws Exception {
    Path f = Files.writeString(dir.resolve("d.jsonl"), "");
    DataSpec s = DataSpec.parse(f + ",maxSamples=3");
    assertThat(s.kind()).isEqualTo(DataSpec.Kind.LOCAL);
    assertThat(s.path()).isEqualTo(f);
  }

  @Test
  void hubIdsWithFile() {
    DataSpec s = DataSpec.parse("org/data-set:data/train.jsonl,revision=v2");
    assertThat(s.kind()).isEqualTo(DataSpec.Kind.HUB);
    assertThat(s.repo()).isEqualTo("org/data-set");
    assertThat(s.file()).isEqualTo("data/train.jsonl");
    assertThat(s.revision()).isEqualTo("v2");
  }

  @Test
  void errorsNameTheProblem() {
    assertThatThrownBy(() -> DataSpec.parse("sharegpt,maxSamples=x"))
        .hasMessageContaining("maxSamples must be a number");
    assertThatThrownBy(() -> DataSpec.parse("sharegpt,foo=1"))
        .hasMessageContaining("unknown option 'foo'");
    assertThatThrownBy(() -> DataSpec.parse("/no/such/file.jsonl"))
        .hasMessageContaining("not an existing path");
    assertThatThrownBy(() -> DataSpec.parse("sharegpt,maxSamples=0"))
        .hasMessageContaining("at least 1");
  }

  @Test
  void hubFileSelection() throws Exception {
    List<String> files =
        List.of("README.md", "data/train-0.parquet", "data/test-0.parquet", "extra/x.jsonl");
    assertThat(SourceResolver.selectHubFiles(DataSpec.parse("o/d"), files))
        .containsExactly("data/train-0.parquet");
    assertThat(SourceResolver.selectHubFiles(DataSpec.parse("o/d:extra/"), files))
        .containsExactly("extra/x.jsonl");
    assertThat(SourceResolver.selectHubFiles(DataSpec.parse("o/d:data/test-0.parquet"), files))
        .containsExactly("data/test-0.parquet");
    assertThatThrownBy(() -> SourceResolver.selectHubFiles(DataSpec.parse("o/d:nope.json"), files))
        .hasMessageContaining("o/d has no file nope.json")
        .hasMessageContaining("data/train-0.parquet");
    assertThat(SourceResolver.selectHubFiles(DataSpec.parse("o/d"), List.of("a.json", "b.jsonl")))
        .containsExactly("a.json", "b.jsonl");
  }

  @Test
  void presetFiles() {
    assertThat(
            DatasetPresets.files(
                "sharegpt",
                null,
                List.of(
                    "README.md",
                    "ShareGPT_V4.3_unfiltered_cleaned_split.json",
                    "old/x.json",
                    "a.json")))
        .containsExactly("ShareGPT_V4.3_unfiltered_cleaned_split.json", "a.json");
    assertThat(
            DatasetPresets.files(
                "ultrachat",
                null,
                List.of(
                    "data/train_sft-00001-of-00003.parquet",
                    "data/test_sft-00000.parquet",
                    "data/train_sft-00000-of-00003.parquet",
                    "data/train_gen-0.parquet")))
        .containsExactly(
            "data/train_sft-00000-of-00003.parquet", "data/train_sft-00001-of-00003.parquet");
  }

  @Test
  void splitSelectsTheFilesOfThatSplit() throws Exception {
    List<String> files = List.of("data/train-0.parquet", "data/test-0.parquet", "README.md");
    assertThat(SourceResolver.selectHubFiles(DataSpec.parse("o/d,split=test"), files))
        .containsExactly("data/test-0.parquet");
    assertThatThrownBy(
            () -> SourceResolver.selectHubFiles(DataSpec.parse("o/d,split=validation"), files))
        .hasMessageContaining("no data file of o/d mentions split 'validation'");
    assertThat(
            DatasetPresets.files(
                "ultrachat",
                "test_sft",
                List.of("data/train_sft-0.parquet", "data/test_sft-0.parquet")))
        .containsExactly("data/test_sft-0.parquet");
    assertThatThrownBy(() -> DatasetPresets.files("sharegpt", "test", List.of("a.json")))
        .hasMessageContaining("only the train split");
    assertThatThrownBy(() -> DataSpec.parse("o/d:f.json,split=train"))
        .hasMessageContaining("either a file after ':' or a split");
    assertThatThrownBy(() -> DataSpec.parse("o/d,split=train[:10%]"))
        .hasMessageContaining("split must be a name");
  }

  @Test
  void localDirectoryIsWalkedSorted() throws Exception {
    Files.createDirectories(dir.resolve("b"));
    Files.writeString(dir.resolve("b/2.jsonl"), "");
    Files.writeString(dir.resolve("a.json"), "[]");
    Files.writeString(dir.resolve("notes.txt"), "");
    assertThat(SourceResolver.localFiles(dir))
        .containsExactly(dir.resolve("a.json"), dir.resolve("b/2.jsonl"));
  }
}
