package dev.speculators.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.speculators.api.common.Engine;
import dev.speculators.api.common.ModelSource;
import dev.speculators.api.common.ResourceRef;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvalPresetsTest {

  @Test
  void presetFillsWhatTheResourceLeavesOpen() {
    SpeculatorEvalSpec spec = new SpeculatorEvalSpec();
    spec.preset = EvalPreset.LLAMA_3_3_70B;
    SpeculatorEvalSpec r = EvalPresets.resolve(spec);
    assertThat(r.targetModel.hfId).isEqualTo("RedHatAI/Llama-3.3-70B-Instruct-FP8-dynamic");
    assertThat(r.speculator.hfId).isEqualTo("RedHatAI/Llama-3.3-70B-Instruct-speculator.eagle3");
    assertThat(r.vllm.tensorParallelSize).isEqualTo(4);
    assertThat(r.vllm.maxModelLen).isEqualTo(24000);
    assertThat(r.vllm.gpuMemoryUtilization).isEqualTo(0.85);
    assertThat(r.datasets).containsExactly("RedHatAI/speculator_benchmarks:math_reasoning.jsonl");
    assertThat(r.numSpeculativeTokens).isEqualTo(3);
    assertThat(r.method).isEqualTo(SpeculativeMethod.EAGLE3);
    assertThat(r.sampling.temperature).isEqualTo(0.6);
    assertThat(r.sampling.topP).isEqualTo(0.95);
    assertThat(r.sampling.topK).isEqualTo(20);
    // the input is not changed
    assertThat(spec.vllm).isNull();
    assertThat(spec.targetModel).isNull();
  }

  @Test
  void resourceFieldsWinOverThePreset() {
    SpeculatorEvalSpec spec = new SpeculatorEvalSpec();
    spec.preset = EvalPreset.QWEN3_8B;
    spec.numSpeculativeTokens = 5;
    spec.datasets = List.of("emulated");
    spec.sampling = new SamplingSpec(0.0, null, null);
    spec.vllm = new dev.speculators.api.common.VllmSpec();
    spec.vllm.tensorParallelSize = 2;
    spec.targetModel = new ModelSource();
    spec.targetModel.pvc = new dev.speculators.api.common.PvcSource();
    spec.targetModel.pvc.claimName = "models";
    SpeculatorEvalSpec r = EvalPresets.resolve(spec);
    assertThat(r.numSpeculativeTokens).isEqualTo(5);
    assertThat(r.datasets).containsExactly("emulated");
    assertThat(r.sampling.temperature).isEqualTo(0.0);
    assertThat(r.sampling.topP).isEqualTo(0.95);
    assertThat(r.vllm.tensorParallelSize).isEqualTo(2);
    assertThat(r.vllm.maxModelLen).isEqualTo(24000);
    assertThat(r.targetModel.pvc.claimName).isEqualTo("models");
    assertThat(r.targetModel.hfId).isNull();
    assertThat(r.speculator.hfId).isEqualTo("RedHatAI/Qwen3-8B-speculator.eagle3");
  }

  @Test
  void defaultsApplyWithoutAPreset() {
    SpeculatorEvalSpec spec = new SpeculatorEvalSpec();
    spec.datasets = List.of("prompts.jsonl");
    SpeculatorEvalSpec r = EvalPresets.resolve(spec);
    assertThat(r.numSpeculativeTokens).isEqualTo(3);
    assertThat(r.sampling.temperature).isEqualTo(0.6);
    assertThat(r.vllm.tensorParallelSize).isEqualTo(1);
    assertThat(r.vllm.gpuMemoryUtilization).isEqualTo(0.9);
    assertThat(r.vllm.maxModelLen).isNull();
    assertThat(r.targetModel).isNull();
    assertThat(r.speculator).isNull();
  }

  @Test
  void aTrainingRefKeepsTheTrainingsTargetModel() {
    SpeculatorEvalSpec spec = new SpeculatorEvalSpec();
    spec.preset = EvalPreset.LLAMA_3_1_8B;
    spec.speculator = new SpeculatorSource();
    spec.speculator.trainingRef = new ResourceRef("tr");
    SpeculatorEvalSpec r = EvalPresets.resolve(spec);
    assertThat(r.targetModel).isNull();
    assertThat(r.speculator.trainingRef.name).isEqualTo("tr");
    assertThat(r.speculator.hfId).isNull();
  }

  @Test
  void anEvaluationTemplateGetsNoModelFromThePreset() {
    EvalSettings settings = new EvalSettings();
    settings.preset = EvalPreset.GPT_OSS_20B;
    SpeculatorEvalSpec r = EvalPresets.resolve(settings);
    assertThat(r.targetModel).isNull();
    assertThat(r.speculator).isNull();
    assertThat(r.vllm.tensorParallelSize).isEqualTo(2);
  }

  @Test
  void theReferenceEngineGetsNoVllmSettings() {
    SpeculatorEvalSpec spec = new SpeculatorEvalSpec();
    spec.engine = Engine.REFERENCE;
    spec.datasets = List.of("prompts.jsonl");
    assertThat(EvalPresets.resolve(spec).vllm).isNull();
  }

  @Test
  void everyPresetHasValues() {
    for (EvalPreset p : EvalPreset.values()) {
      EvalPresets.Preset v = EvalPresets.get(p);
      assertThat(v).as(p.name()).isNotNull();
      assertThat(v.speculator()).endsWith("speculator.eagle3");
      assertThat(v.tensorParallelSize()).isBetween(1, 4);
    }
  }
}
