package dev.speculators.datagen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.speculators.datagen.DatasetIdentity.Model;
import dev.speculators.datagen.DatasetIdentity.Source;
import dev.speculators.datagen.DatasetIdentity.VolumeNames;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The content hash covers what determines a dataset's content, and only that. */
class DatasetIdentityTest {

  private static DatasetIdentity identity(String revision, long seed, Long maxSamples) {
    return new DatasetIdentity(
        "vllm",
        "vllm",
        Model.ofHub("org/target", revision),
        List.of(new Source("sharegpt", null, null, "main", null, null, false)),
        8192,
        null,
        maxSamples,
        seed,
        Map.of());
  }

  @Test
  void theHashChangesWithEveryInputThatChangesTheContent() {
    String base = identity(null, 0, 5000L).hash();
    assertThat(base).matches("sha256:[0-9a-f]{64}");
    assertThat(identity("main", 0, 5000L).hash())
        .as("main is the default revision")
        .isEqualTo(base);
    assertThat(identity("abc123", 0, 5000L).hash()).isNotEqualTo(base);
    assertThat(identity(null, 1, 5000L).hash()).isNotEqualTo(base);
    assertThat(identity(null, 0, 4000L).hash()).isNotEqualTo(base);
    DatasetIdentity ids =
        new DatasetIdentity(
            "vllm",
            "vllm",
            Model.ofHub("org/target", null),
            List.of(new Source("sharegpt", null, null, "main", null, null, false)),
            8192,
            List.of(2, 16, 29, 32),
            5000L,
            0,
            Map.of());
    assertThat(ids.hash()).isNotEqualTo(base);
  }

  @Test
  void theTokenKeyIgnoresWhatOnlySelectsSamples() {
    DatasetIdentity a = identity(null, 0, 5000L);
    assertThat(identity(null, 7, 100L).tokenKey()).isEqualTo(a.tokenKey());
    assertThat(identity("abc123", 0, 5000L).tokenKey()).isNotEqualTo(a.tokenKey());
  }

  @Test
  void volumesAreNamedIndependentlyOfWhereTheyAreMounted() {
    VolumeNames names =
        VolumeNames.of(
            Map.of(
                "/data", "pvc:ds-hidden-states",
                "/inputs/corpus", "pvc:corpus",
                "/inputs/corpus/deep", "pvc:other/"));
    assertThat(names.name(Path.of("/inputs/corpus/chats/a.jsonl")))
        .isEqualTo("pvc:corpus/chats/a.jsonl");
    assertThat(names.name(Path.of("/inputs/corpus/deep/x")))
        .as("longest mount wins")
        .isEqualTo("pvc:other/x");
    assertThat(names.name(Path.of("/data"))).isEqualTo("pvc:ds-hidden-states");
    assertThat(names.name(Path.of("/data/../opt/x.jsonl"))).isEqualTo("/opt/x.jsonl");
    assertThat(VolumeNames.none().name(Path.of("/opt/x"))).isEqualTo("/opt/x");
  }
}
