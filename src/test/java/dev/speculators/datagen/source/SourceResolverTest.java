package dev.speculators.datagen.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Preset and Hub specs resolved through a Hub stand-in that serves files from a folder. */
class SourceResolverTest {
  @TempDir Path hubRoot;
  final List<String> calls = new ArrayList<>();

  HubDatasets hub() {
    return new HubDatasets() {
      @Override
      public List<String> listFiles(String repo, String revision) throws IOException {
        calls.add("list " + repo + "@" + revision);
        Path dir = hubRoot.resolve(repo);
        if (!Files.isDirectory(dir)) {
          throw new IOException("dataset '" + repo + "' not found");
        }
        try (var s = Files.walk(dir)) {
          return s.filter(Files::isRegularFile)
              .map(p -> dir.relativize(p).toString())
              .sorted()
              .toList();
        }
      }

      @Override
      public Path download(String repo, String revision, String file) {
        calls.add("get " + repo + "@" + revision + ":" + file);
        return hubRoot.resolve(repo).resolve(file);
      }
    };
  }

  @Test
  void ultrachatPresetReadsTheTrainSftParquetFiles() throws Exception {
    Path repo = hubRoot.resolve("HuggingFaceH4/ultrachat_200k/data");
    Files.createDirectories(repo);
    RecordFileTest.writeUltraChatParquet(repo.resolve("train_sft-00000-of-00002.parquet"), 3);
    RecordFileTest.writeUltraChatParquet(repo.resolve("train_sft-00001-of-00002.parquet"), 2);
    RecordFileTest.writeUltraChatParquet(repo.resolve("test_sft-00000-of-00001.parquet"), 7);
    Files.writeString(hubRoot.resolve("HuggingFaceH4/ultrachat_200k/README.md"), "card");
    Source s = new SourceResolver(hub()).resolve(DataSpec.parse("ultrachat"));
    assertThat(s.count()).isEqualTo(5);
    assertThat(calls)
        .containsExactly(
            "list HuggingFaceH4/ultrachat_200k@main",
            "get HuggingFaceH4/ultrachat_200k@main:data/train_sft-00000-of-00002.parquet",
            "get HuggingFaceH4/ultrachat_200k@main:data/train_sft-00001-of-00002.parquet");
  }

  @Test
  void shareGptPresetAndHubSpecs() throws Exception {
    Path repo = hubRoot.resolve("Aeala/ShareGPT_Vicuna_unfiltered");
    Files.createDirectories(repo);
    Files.writeString(
        repo.resolve("ShareGPT_V4.3_unfiltered_cleaned_split.json"),
        "[{\"id\": \"a\", \"conversations\": []}, {\"id\": \"b\", \"conversations\": []}]");
    assertThat(
            new SourceResolver(hub()).resolve(DataSpec.parse("sharegpt,revision=abc123")).count())
        .isEqualTo(2);
    assertThat(calls).first().isEqualTo("list Aeala/ShareGPT_Vicuna_unfiltered@abc123");

    Path other = hubRoot.resolve("org/chats");
    Files.createDirectories(other.resolve("data"));
    Files.writeString(other.resolve("data/train.jsonl"), "{\"messages\": []}\n");
    Files.writeString(
        other.resolve("data/extra.jsonl"), "{\"messages\": []}\n{\"messages\": []}\n");
    assertThat(new SourceResolver(hub()).resolve(DataSpec.parse("org/chats")).count()).isEqualTo(1);
    assertThat(
            new SourceResolver(hub()).resolve(DataSpec.parse("org/chats:data/extra.jsonl")).count())
        .isEqualTo(2);
    assertThat(new SourceResolver(hub()).resolve(DataSpec.parse("org/chats:data/")).count())
        .isEqualTo(3);
    assertThatThrownBy(() -> new SourceResolver(hub()).resolve(DataSpec.parse("org/missing")))
        .hasMessageContaining("dataset 'org/missing' not found");
    assertThatThrownBy(() -> new SourceResolver(null).resolve(DataSpec.parse("org/chats")))
        .hasMessageContaining("no Hugging Face Hub client");
  }
}
