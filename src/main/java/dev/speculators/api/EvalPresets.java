package dev.speculators.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speculators.api.common.Engine;
import dev.speculators.api.common.ModelSource;
import dev.speculators.api.common.VllmSpec;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The published evaluation presets of the upstream speculators project (v0.4.0 {@code
 * eval-guidellm} configs) and the resolution of an evaluation spec against them.
 *
 * <p>Every value of an evaluation is resolved in this order: the field in the resource, then the
 * preset (when {@code preset} is set), then the default. Defaults: method {@code eagle3}, 3
 * speculative tokens, temperature 0.6, top-p 0.95, top-k 20, tensor parallel size 1, GPU memory
 * utilization 0.9, the model's own max model length. Presets also name the target model and the
 * speculator; with {@code speculator.trainingRef} the target model comes from the training instead,
 * so a preset never fills it in then.
 */
public final class EvalPresets {

  /** The benchmark dataset every upstream preset uses. */
  public static final String MATH_REASONING = "RedHatAI/speculator_benchmarks:math_reasoning.jsonl";

  /** Speculative tokens per step when neither the resource nor a preset says. */
  public static final int DEFAULT_NUM_SPECULATIVE_TOKENS = 3;

  /** Values of one preset. */
  public record Preset(
      String baseModel,
      String speculator,
      int tensorParallelSize,
      List<String> datasets,
      double temperature,
      double topP,
      int topK,
      int maxModelLen,
      double gpuMemoryUtilization,
      int numSpeculativeTokens,
      SpeculativeMethod method) {}

  private static final Map<EvalPreset, Preset> PRESETS = new EnumMap<>(EvalPreset.class);

  static {
    PRESETS.put(
        EvalPreset.LLAMA_3_1_8B,
        preset(
            "meta-llama/Llama-3.1-8B-Instruct",
            "RedHatAI/Llama-3.1-8B-Instruct-speculator.eagle3",
            1));
    PRESETS.put(
        EvalPreset.LLAMA_3_3_70B,
        preset(
            "RedHatAI/Llama-3.3-70B-Instruct-FP8-dynamic",
            "RedHatAI/Llama-3.3-70B-Instruct-speculator.eagle3",
            4));
    PRESETS.put(
        EvalPreset.GPT_OSS_20B,
        preset("RedHatAI/gpt-oss-20b", "RedHatAI/gpt-oss-20b-speculator.eagle3", 2));
    PRESETS.put(
        EvalPreset.QWEN3_8B, preset("Qwen/Qwen3-8B", "RedHatAI/Qwen3-8B-speculator.eagle3", 1));
    PRESETS.put(
        EvalPreset.QWEN3_32B, preset("Qwen/Qwen3-32B", "RedHatAI/Qwen3-32B-speculator.eagle3", 2));
  }

  private static Preset preset(String baseModel, String speculator, int tensorParallelSize) {
    return new Preset(
        baseModel,
        speculator,
        tensorParallelSize,
        List.of(MATH_REASONING),
        SamplingSpec.DEFAULT_TEMPERATURE,
        SamplingSpec.DEFAULT_TOP_P,
        SamplingSpec.DEFAULT_TOP_K,
        24000,
        0.85,
        DEFAULT_NUM_SPECULATIVE_TOKENS,
        SpeculativeMethod.EAGLE3);
  }

  private static final ObjectMapper COPIER =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private EvalPresets() {}

  /** The values of a preset. */
  public static Preset get(EvalPreset preset) {
    return PRESETS.get(preset);
  }

  /**
   * A copy of {@code spec} with every preset-covered value filled in: resource field, then preset,
   * then default. The input is not changed. {@code targetModel} and {@code speculator} are filled
   * from the preset only when {@code spec} is a {@link SpeculatorEvalSpec} that lacks them (and,
   * for the target model, has no {@code speculator.trainingRef}).
   */
  public static SpeculatorEvalSpec resolve(EvalSettings spec) {
    SpeculatorEvalSpec out = COPIER.convertValue(spec, SpeculatorEvalSpec.class);
    Preset p = spec.preset == null ? null : PRESETS.get(spec.preset);

    if (out.method == null) {
      out.method = p != null ? p.method() : SpeculativeMethod.EAGLE3;
    }
    if (out.numSpeculativeTokens == null) {
      out.numSpeculativeTokens =
          p != null ? p.numSpeculativeTokens() : DEFAULT_NUM_SPECULATIVE_TOKENS;
    }
    if (out.datasets == null && p != null) {
      out.datasets = new ArrayList<>(p.datasets());
    }
    if (out.sampling == null) {
      out.sampling = new SamplingSpec();
    }
    if (out.sampling.temperature == null) {
      out.sampling.temperature = p != null ? p.temperature() : SamplingSpec.DEFAULT_TEMPERATURE;
    }
    if (out.sampling.topP == null) {
      out.sampling.topP = p != null ? p.topP() : SamplingSpec.DEFAULT_TOP_P;
    }
    if (out.sampling.topK == null) {
      out.sampling.topK = p != null ? p.topK() : SamplingSpec.DEFAULT_TOP_K;
    }
    if (out.engine == Engine.VLLM) {
      resolveVllm(out, p);
    }
    if (p != null && spec instanceof SpeculatorEvalSpec) {
      boolean fromTraining = out.speculator != null && out.speculator.trainingRef != null;
      if (out.targetModel == null && !fromTraining) {
        out.targetModel = new ModelSource();
        out.targetModel.hfId = p.baseModel();
      }
      if (out.speculator == null) {
        out.speculator = new SpeculatorSource();
        out.speculator.hfId = p.speculator();
      }
    }
    return out;
  }

  private static void resolveVllm(SpeculatorEvalSpec out, Preset p) {
    if (out.vllm == null) {
      out.vllm = new VllmSpec();
    }
    if (out.vllm.tensorParallelSize == null) {
      out.vllm.tensorParallelSize = p != null ? p.tensorParallelSize() : 1;
    }
    if (out.vllm.gpuMemoryUtilization == null) {
      out.vllm.gpuMemoryUtilization =
          p != null ? p.gpuMemoryUtilization() : VllmSpec.DEFAULT_GPU_MEMORY_UTILIZATION;
    }
    if (out.vllm.maxModelLen == null && p != null) {
      out.vllm.maxModelLen = p.maxModelLen();
    }
  }
}
