package dev.speculators.train.vocab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.speculators.io.HostTensor;
import dev.speculators.io.Npy;
import dev.speculators.io.dataset.TokenFrequencies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocabMappingTest {
  private static final Path DATA = Path.of("src/test/resources/fixtures/speculators-data");

  static Map<Long, Long> fixtureFrequencies() throws IOException {
    return TokenFrequencies.read(DATA.resolve("token_freq.pt"));
  }

  @Test
  void reproducesUpstreamMappingOfTheFixtureExactly() throws IOException {
    Map<Long, Long> freq = fixtureFrequencies();
    assertThat(freq).hasSize(60);
    assertThat(freq.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(73);

    VocabMapping m = VocabMapping.fromFrequencies(freq, 32, 512);

    HostTensor d2t = Npy.read(DATA.resolve("vocab_mapping/d2t.npy"));
    HostTensor t2d = Npy.read(DATA.resolve("vocab_mapping/t2d.npy"));
    assertThat(m.d2t()).containsExactly(d2t.toLongArray());
    assertThat(m.t2d()).containsExactly(t2d.toBoolArray());
    assertThat(m.d2tTensor().contentEquals(d2t)).isTrue();
    assertThat(m.t2dTensor().contentEquals(t2d)).isTrue();
    assertThat(m.isFull()).isFalse();
    assertThat(m.draftVocabSize()).isEqualTo(32);
    assertThat(m.targetVocabSize()).isEqualTo(512);
  }

  @Test
  void writesFilesThatReadBackAndMatchUpstreamBytes(@TempDir Path dir) throws IOException {
    VocabMapping m = VocabMapping.fromFrequencies(fixtureFrequencies(), 32, 512);
    m.write(dir);
    assertThat(VocabMapping.existsIn(dir)).isTrue();
    assertThat(VocabMapping.read(dir)).isEqualTo(m);
    assertThat(VocabMapping.read(DATA.resolve("vocab_mapping"))).isEqualTo(m);
    // byte for byte what upstream's np.save wrote
    for (String f : new String[] {"d2t.npy", "t2d.npy"}) {
      assertThat(Files.readAllBytes(dir.resolve(f)))
          .isEqualTo(Files.readAllBytes(DATA.resolve("vocab_mapping/" + f)));
    }
    // no temporary files left behind
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("d2t.npy", "t2d.npy");
    }
  }

  @Test
  void tiesAreBrokenBySmallerIdAndSelectionIsAscending() {
    Map<Long, Long> freq = new HashMap<>();
    freq.put(9L, 5L);
    freq.put(7L, 3L);
    freq.put(4L, 3L);
    freq.put(8L, 3L);
    freq.put(1L, 1L);
    VocabMapping m = VocabMapping.fromFrequencies(freq, 3, 10);
    // 9 (5), then the tied 4 and 7 (3) before 8
    assertThat(m.verifierIds()).containsExactly(4, 7, 9);
    assertThat(m.d2t()).containsExactly(4, 6, 7);
    assertThat(m.toVerifierId(1)).isEqualTo(7);
  }

  @Test
  void fewerObservedIdsThanDraftVocabularyFillUpWithSmallestUnusedIds() {
    Map<Long, Long> freq = Map.of(1L, 10L, 5L, 2L);
    VocabMapping m = VocabMapping.fromFrequencies(freq, 5, 16);
    assertThat(m.verifierIds()).containsExactly(0, 1, 2, 3, 5);
    assertThat(m.t2d())
        .containsExactly(
            true, true, true, true, false, true, false, false, false, false, false, false, false,
            false, false, false);
    assertThat(VocabMapping.fromFrequencies(Map.of(), 3, 8).verifierIds()).containsExactly(0, 1, 2);
  }

  @Test
  void fullVocabularyIsTheIdentity(@TempDir Path dir) throws IOException {
    VocabMapping full = VocabMapping.full(16);
    assertThat(full.isFull()).isTrue();
    assertThat(full.d2t()).containsOnly(0L).hasSize(16);
    assertThat(full.t2d()).containsOnly(true).hasSize(16);
    // Vd == V selects every id whatever the counts say
    assertThat(VocabMapping.fromFrequencies(Map.of(3L, 9L), 16, 16)).isEqualTo(full);
    full.write(dir);
    assertThat(VocabMapping.read(dir).isFull()).isTrue();
  }

  @Test
  void rejectsIdsOutsideTheVocabularyAndBadSizes() {
    assertThatThrownBy(() -> VocabMapping.fromFrequencies(Map.of(512L, 1L), 8, 512))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("id 512")
        .hasMessageContaining("[0, 512)");
    assertThatThrownBy(() -> VocabMapping.fromFrequencies(Map.of(-1L, 1L), 8, 512))
        .hasMessageContaining("id -1");
    assertThatThrownBy(() -> VocabMapping.fromFrequencies(Map.of(3L, -4L), 8, 512))
        .hasMessageContaining("negative count");
    assertThatThrownBy(() -> VocabMapping.fromFrequencies(Map.of(), 600, 512))
        .hasMessageContaining("draft vocabulary size");
    assertThatThrownBy(() -> VocabMapping.fromFrequencies(Map.of(), 0, 512))
        .hasMessageContaining("draft vocabulary size");
  }

  @Test
  void inconsistentStoredMappingsAreRejectedWithTheReason(@TempDir Path dir) throws IOException {
    assertThatThrownBy(() -> VocabMapping.of(new long[] {0, 0}, new boolean[] {true, false, false}))
        .hasMessageContaining("t2d selects 1 ids but d2t has 2 entries");
    assertThatThrownBy(() -> VocabMapping.of(new long[] {0, 5}, new boolean[] {true, true, false}))
        .hasMessageContaining("d2t[1] = 5 maps to id 6");
    assertThatThrownBy(() -> VocabMapping.of(new long[] {1, 0}, new boolean[] {false, true, true}))
        .hasMessageContaining("not above the previous id");
    assertThatThrownBy(() -> VocabMapping.of(new long[] {0, 1}, new boolean[] {true, true, false}))
        .hasMessageContaining("t2d[2] is false");

    Npy.write(dir.resolve("d2t.npy"), HostTensor.ofLongs(new long[] {0, 0}, 2));
    Npy.write(dir.resolve("t2d.npy"), HostTensor.ofBools(new boolean[] {true, true, true}, 3));
    assertThatThrownBy(() -> VocabMapping.read(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("inconsistent")
        .hasMessageContaining("t2d.sum must equal Vd");
    Npy.write(dir.resolve("t2d.npy"), HostTensor.ofLongs(new long[] {1, 1, 0}, 3));
    assertThatThrownBy(() -> VocabMapping.read(dir))
        .hasMessageContaining("t2d.npy")
        .hasMessageContaining("bool");
    Files.delete(dir.resolve("d2t.npy"));
    assertThatThrownBy(() -> VocabMapping.read(dir)).hasMessageContaining("d2t.npy does not exist");
  }
}
