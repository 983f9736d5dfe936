package dev.speculators.operator.preflight;

import static org.assertj.core.api.Assertions.assertThat;

import dev.speculators.io.hub.FakeHubServer;
import dev.speculators.io.hub.HfHub;
import dev.speculators.io.hub.RepoType;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A speculator's context length, as the operator reads it from the Hub for the eval check. */
class DraftContextTest {
  @TempDir Path tmp;

  @Test
  void aPublicHubSpeculatorIsReadOnceAndAGatedOrUnknownOneIsLeftToThePod() throws Exception {
    try (FakeHubServer fake = new FakeHubServer()) {
      fake.addFile(
          RepoType.MODEL,
          "org/eagle3",
          "config.json",
          "{\"speculators_model_type\": \"eagle3\", \"max_position_embeddings\": 99,"
              + " \"transformer_layer_config\": {\"max_position_embeddings\": 40960}}");
      fake.addFile(RepoType.MODEL, "org/gated", "config.json", "{\"max_position_embeddings\": 8}");
      fake.gate(RepoType.MODEL, "org/gated", "secret");
      HfHub hub = new HfHub(fake.endpoint(), null, tmp.resolve("cache"), false);
      ModelConfigs configs = new ModelConfigs(Map.of(), () -> hub);

      // the layer config's value is what vLLM uses for a speculators-format draft
      assertThat(configs.draftMaxPositions("org/eagle3", null, null, null)).hasValue(40960);
      fake.clearRequests();
      assertThat(configs.draftMaxPositions("org/eagle3", null, null, null)).hasValue(40960);
      assertThat(fake.requests()).as("read once, then kept").isEmpty();

      assertThat(configs.draftMaxPositions("org/gated", null, null, null)).isEmpty();
      assertThat(configs.draftMaxPositions("org/missing", "v1", null, null)).isEmpty();
      // without Hub access nothing is fetched
      assertThat(ModelConfigs.none().draftMaxPositions("org/eagle3", null, null, null)).isEmpty();
    }
  }
}
