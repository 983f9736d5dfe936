package dev.speculators.io.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.speculators.io.DType;
import dev.speculators.io.HostTensor;
import dev.speculators.io.SafeTensors;
import dev.speculators.io.TestData;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfModelDirTest {
  @TempDir Path tmp;

  @Test
  void readsTheFixtureVerifier() throws Exception {
    try (HfModelDir m = HfModelDir.open(TestData.fixture("speculators-data/verifier"))) {
      assertThat(m.modelType()).isEqualTo("llama");
      assertThat(m.architectures()).containsExactly("LlamaForCausalLM");
      assertThat(m.hiddenSize()).isEqualTo(64);
      assertThat(m.numHiddenLayers()).isEqualTo(8);
      assertThat(m.vocabSize()).isEqualTo(512);
      assertThat(m.numAttentionHeads()).isEqualTo(4);
      assertThat(m.numKeyValueHeads()).isEqualTo(2);
      assertThat(m.headDim()).isEqualTo(16);
      assertThat(m.intermediateSize()).isEqualTo(128);
      assertThat(m.rmsNormEps()).isEqualTo(1e-5);
      assertThat(m.ropeTheta()).isEqualTo(500000.0);
      assertThat(m.ropeScaling()).isNull();
      assertThat(m.maxPositionEmbeddings()).isEqualTo(4096);
      assertThat(m.tieWordEmbeddings()).isFalse();
      assertThat(m.eosTokenIds()).containsExactly(2L);
      assertThat(m.bosTokenId()).hasValue(1);
      assertThat(m.tensorNames())
          .contains("model.embed_tokens.weight", "lm_head.weight", "model.norm.weight");
      assertThat(m.lmHeadWeightName()).isEqualTo("lm_head.weight");
      HostTensor lmHead = m.lmHeadWeight();
      assertThat(lmHead.dtype()).isEqualTo(DType.BF16);
      assertThat(lmHead.shape()).containsExactly(512, 64);
      assertThat(m.tensorRows("lm_head.weight", 10, 12).contentEquals(lmHead.slice0(10, 12)))
          .isTrue();
      assertThat(m.tensorInfo("model.norm.weight").shape()).containsExactly(64);
      assertThat(m.embedTokensWeightName()).isEqualTo("model.embed_tokens.weight");
      assertThat(m.hasTokenizerJson()).isFalse();
      assertThat(m.chatTemplate()).isEmpty();
      assertThatThrownBy(m::tokenizerJson).isInstanceOf(NoSuchFileException.class);
      assertThatThrownBy(() -> m.tensor("nope"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("no tensor named 'nope'");
    }
  }

  @Test
  void shardedWeightsFollowTheIndex() throws Exception {
    Path dir = modelDir(Map.of("hidden_size", 4, "tie_word_embeddings", true));
    SafeTensors.write(
        dir.resolve("model-00001-of-00002.safetensors"),
        Map.of(
            "model.embed_tokens.weight",
            HostTensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 4)),
        null);
    SafeTensors.write(
        dir.resolve("model-00002-of-00002.safetensors"),
        Map.of("model.norm.weight", HostTensor.ofFloats(new float[] {1, 1, 1, 1})),
        null);
    Files.writeString(
        dir.resolve("model.safetensors.index.json"),
        "{\"metadata\": {\"total_size\": 48}, \"weight_map\": {"
            + "\"model.embed_tokens.weight\": \"model-00001-of-00002.safetensors\","
            + "\"model.norm.weight\": \"model-00002-of-00002.safetensors\"}}");
    try (HfModelDir m = HfModelDir.open(dir)) {
      assertThat(m.tensorNames()).containsExactly("model.embed_tokens.weight", "model.norm.weight");
      assertThat(m.tieWordEmbeddings()).isTrue();
      assertThat(m.lmHeadWeightName()).isEqualTo("model.embed_tokens.weight");
      assertThat(m.lmHeadWeight().toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
      assertThat(m.tensor("model.norm.weight").numel()).isEqualTo(4);
    }
    Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
    assertThatThrownBy(() -> HfModelDir.open(dir))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("maps 'model.norm.weight' to a missing shard");
  }

  @Test
  void absentLmHeadMeansTiedEmbeddings() throws Exception {
    Path dir = modelDir(Map.of());
    SafeTensors.write(
        dir.resolve("model.safetensors"),
        Map.of("model.embed_tokens.weight", HostTensor.zeros(DType.BF16, 8, 4)),
        null);
    try (HfModelDir m = HfModelDir.open(dir)) {
      assertThat(m.tieWordEmbeddings()).isTrue();
      assertThat(m.lmHeadWeightName()).isEqualTo("model.embed_tokens.weight");
    }
  }

  @Test
  void multimodalConfigsUseTextConfig() throws Exception {
    Path dir = tmp.resolve("vlm");
    Files.createDirectories(dir);
    Files.writeString(
        dir.resolve("config.json"),
        "{\"model_type\": \"qwen2_5_vl\", \"architectures\": [\"Qwen2_5_VLForConditionalGeneration\"],"
            + " \"vision_config\": {\"hidden_size\": 1280},"
            + " \"eos_token_id\": [151645, 151643],"
            + " \"text_config\": {\"hidden_size\": 2048, \"num_hidden_layers\": 36, \"vocab_size\": 151936,"
            + "   \"num_attention_heads\": 16, \"num_key_value_heads\": 2, \"intermediate_size\": 11008,"
            + "   \"rope_parameters\": {\"rope_type\": \"default\", \"rope_theta\": 1000000.0},"
            + "   \"max_position_embeddings\": 128000}}");
    Files.writeString(
        dir.resolve("generation_config.json"),
        "{\"eos_token_id\": [151643, 151645, 7], \"pad_token_id\": 151643}");
    try (HfModelDir m = HfModelDir.open(dir)) {
      assertThat(m.textConfig().get("hidden_size").asInt()).isEqualTo(2048);
      assertThat(m.hiddenSize()).isEqualTo(2048);
      assertThat(m.headDim()).isEqualTo(128);
      assertThat(m.numKeyValueHeads()).isEqualTo(2);
      assertThat(m.ropeTheta()).isEqualTo(1_000_000.0);
      assertThat(m.ropeScaling()).isNull();
      assertThat(m.rmsNormEps()).isEqualTo(1e-6);
      assertThat(m.eosTokenIds()).containsExactly(151645L, 151643L, 7L);
      assertThat(m.padTokenId()).hasValue(151643);
      assertThat(m.modelType()).isEqualTo("qwen2_5_vl");
      assertThat(m.tensorNames()).isEmpty();
      assertThatThrownBy(() -> m.tensor("x")).hasMessageContaining("has no safetensors weights");
    }
  }

  @Test
  void ropeScalingFromEitherSpelling() throws Exception {
    Map<String, Object> legacy = new LinkedHashMap<>();
    legacy.put("rope_scaling", Map.of("rope_type", "llama3", "factor", 8.0));
    try (HfModelDir m = HfModelDir.open(modelDir(legacy))) {
      assertThat(m.ropeScaling().get("rope_type").asText()).isEqualTo("llama3");
      assertThat(m.ropeTheta()).isEqualTo(10000.0);
    }
    Map<String, Object> v5 = new LinkedHashMap<>();
    v5.put("rope_parameters", Map.of("rope_type", "yarn", "factor", 4.0, "rope_theta", 5e5));
    try (HfModelDir m = HfModelDir.open(modelDir(v5))) {
      assertThat(m.ropeScaling().get("rope_type").asText()).isEqualTo("yarn");
      assertThat(m.ropeTheta()).isEqualTo(5e5);
    }
  }

  @Test
  void badFieldsAreNamed() throws Exception {
    Path dir = modelDir(Map.of("hidden_size", "big", "intermediate_size", -3));
    try (HfModelDir m = HfModelDir.open(dir)) {
      assertThatThrownBy(m::hiddenSize)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("config.json: \"hidden_size\" must be a positive integer");
      assertThatThrownBy(m::intermediateSize).hasMessageContaining("\"intermediate_size\"");
      assertThatThrownBy(m::maxPositionEmbeddings)
          .hasMessageContaining("missing \"max_position_embeddings\"");
    }
    Path broken = tmp.resolve("broken");
    Files.createDirectories(broken);
    Files.writeString(broken.resolve("config.json"), "{\"hidden_size\": ");
    assertThatThrownBy(() -> HfModelDir.open(broken)).hasMessageContaining("malformed JSON");
    assertThatThrownBy(() -> HfModelDir.open(tmp.resolve("absent")))
        .isInstanceOf(NoSuchFileException.class);
    Path empty = tmp.resolve("empty");
    Files.createDirectories(empty);
    assertThatThrownBy(() -> HfModelDir.open(empty))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("no config.json");
  }

  @Test
  void chatTemplatesFromEverySource() throws Exception {
    Path dir = modelDir(Map.of());
    Files.writeString(dir.resolve("tokenizer.json"), "{}");
    Files.writeString(
        dir.resolve("tokenizer_config.json"),
        "{\"chat_template\": [{\"name\": \"default\", \"template\": \"D\"}, {\"name\": \"tool_use\", \"template\": \"T\"}]}");
    try (HfModelDir m = HfModelDir.open(dir)) {
      assertThat(m.tokenizerJson()).isEqualTo(dir.resolve("tokenizer.json"));
      assertThat(m.chatTemplate()).hasValue("D");
      assertThat(m.chatTemplate("tool_use")).hasValue("T");
      assertThat(m.chatTemplate("rag")).isEmpty();
    }
    Files.writeString(
        dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"{{ messages }}\"}");
    try (HfModelDir m = HfModelDir.open(dir)) {
      assertThat(m.chatTemplate()).hasValue("{{ messages }}");
    }
    Files.writeString(dir.resolve("chat_template.json"), "{\"chat_template\": \"from json\"}");
    try (HfModelDir m = HfModelDir.open(dir)) {
      assertThat(m.chatTemplate()).hasValue("from json");
    }
    Files.writeString(dir.resolve("chat_template.jinja"), "from jinja");
    Files.createDirectories(dir.resolve("additional_chat_templates"));
    Files.writeString(dir.resolve("additional_chat_templates/rag.jinja"), "R");
    try (HfModelDir m = HfModelDir.open(dir)) {
      assertThat(m.chatTemplate()).hasValue("from jinja");
      assertThat(m.chatTemplate("rag")).hasValue("R");
    }
  }

  private Path modelDir(Map<String, Object> overrides) throws Exception {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("model_type", "llama");
    config.put("architectures", List.of("LlamaForCausalLM"));
    config.put("hidden_size", 8);
    config.put("num_hidden_layers", 2);
    config.put("vocab_size", 8);
    config.put("num_attention_heads", 2);
    config.put("intermediate_size", 16);
    config.putAll(overrides);
    Path dir = Files.createTempDirectory(tmp, "model");
    Files.writeString(
        dir.resolve("config.json"),
        new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(config));
    return dir;
  }
}
