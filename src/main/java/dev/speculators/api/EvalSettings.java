package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.speculators.api.common.Engine;
import dev.speculators.api.common.Patterns;
import dev.speculators.api.common.PodOverrides;
import dev.speculators.api.common.Storage;
import dev.speculators.api.common.VllmSpec;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * How to evaluate a speculator: everything of a SpeculatorEval except which speculator and target
 * model. Used as {@code SpeculatorTraining.spec.evaluation}, where the operator supplies those two.
 *
 * <p>Fields a {@code preset} covers (method, numSpeculativeTokens, datasets, sampling, vllm sizes)
 * have no schema defaults: {@link EvalPresets#resolve} applies resource field, then preset, then
 * default.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.datasets) || has(self.preset)",
    message = "datasets is required unless preset is set",
    fieldPath = ".datasets")
@ValidationRule(
    value = "self.engine == 'vllm' || !has(self.vllm)",
    message = "vllm settings apply only to engine vllm",
    fieldPath = ".vllm")
@ValidationRule(
    value =
        "!has(self.guidellm) || !has(self.guidellm.textColumn) || !has(self.datasets)"
            + " || self.datasets.all(d, !d.matches('kind.{0,4}(synthetic_text|trace_synthetic)')"
            + " && (d.contains('kind') || !d.matches('prompt_tokens.{0,2}[=:]')))",
    message =
        "guidellm.textColumn applies to data files: synthetic datasets generate their own prompt"
            + " column",
    fieldPath = ".guidellm.textColumn")
public class EvalSettings {

  @JsonPropertyDescription(
      "Settings of a published evaluation (base model, speculator, tensor parallelism, dataset,"
          + " sampling, max model length 24000, 3 speculative tokens). Fields set in this"
          + " resource win over the preset.")
  public EvalPreset preset;

  @JsonPropertyDescription("Speculative decoding method passed to vLLM (default eagle3).")
  public SpeculativeMethod method;

  @JsonPropertyDescription("Tokens drafted per step (default 3).")
  @Min(1) @Max(16) public Integer numSpeculativeTokens;

  @JsonPropertyDescription(
      "Benchmark prompts, each one of: org/dataset:file.jsonl (or .json, .csv, .parquet), a"
          + " Hugging Face dataset id (every *.jsonl in it), a file (.jsonl, .json, .csv, .parquet)"
          + " or directory (its *.jsonl) on the eval storage, synthetic text"
          + " (prompt_tokens=N,output_tokens=N) or a GuideLLM 0.7.3 data spec (kind=...; a whole"
          + " Hub dataset as kind=huggingface,source=org/dataset,load_kwargs.split=NAME).")
  @Size(min = 1, max = 16) @ValidationRule(
      value =
          "self.all(d, d.contains('/') || d.contains('=') || d.startsWith('{')"
              + " || d.matches('[.](jsonl|json|csv|parquet)$'))",
      message =
          "each dataset must be org/dataset[:file], a file or directory path, synthetic text"
              + " (prompt_tokens=N,output_tokens=N) or a GuideLLM data spec (kind=...);"
              + " GuideLLM 0.7.3 has no named built-in datasets")
  @ValidationRule(
      value =
          "self.all(d, !d.matches('^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+:')"
              + " || d.matches('[.](jsonl|json|csv|parquet)$'))",
      message =
          "a file of a Hub dataset (org/dataset:file) must be .jsonl, .json, .csv or .parquet")
  @ValidationRule(
      value =
          "self.all(d, !d.matches('(^|,)kind=(huggingface|hf)(,|$)')"
              + " || d.matches('(^|,)load_kwargs[.]split='))",
      message =
          "a kind=huggingface dataset needs load_kwargs.split=NAME: GuideLLM cannot benchmark a"
              + " dataset with several splits")
  public List<@Size(min = 1, max = 512) String> datasets;

  @JsonPropertyDescription("Sampling parameters of the benchmark requests.")
  public SamplingSpec sampling;

  @JsonPropertyDescription("GuideLLM load profile and limits.")
  @Default("{}")
  public GuideLlmSpec guidellm = new GuideLlmSpec();

  @JsonPropertyDescription("Also benchmark the target without speculation, to report speedup.")
  @Default("false")
  public Boolean baseline = false;

  @JsonPropertyDescription(
      "vllm (default): vLLM + GuideLLM on GPUs. reference: offline simulation with the CPU"
          + " reference engine, for tiny models (acceptance counters only).")
  @Default("vllm")
  public Engine engine = Engine.VLLM;

  @JsonPropertyDescription("vLLM settings (engine vllm).")
  public VllmSpec vllm;

  @JsonPropertyDescription(
      "Where results are written; default: a PVC the operator creates (1Gi, retained).")
  public Storage storage;

  @JsonPropertyDescription("Overrides for the eval pod.")
  public PodOverrides podTemplate;

  @JsonPropertyDescription("Kueue LocalQueue: sets the kueue.x-k8s.io/queue-name label on the Job.")
  @Pattern(Patterns.LABEL_VALUE) @Size(max = 63) public String queueName;
}
