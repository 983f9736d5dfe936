package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.speculators.api.common.Engine;
import dev.speculators.api.common.ModelSource;
import dev.speculators.api.common.Patterns;
import dev.speculators.api.common.PodOverrides;
import dev.speculators.api.common.Storage;
import dev.speculators.api.common.VllmSpec;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * What to generate: the target model, the conversations, and how they are cut into samples. Also
 * used inline as {@code SpeculatorTraining.spec.dataset.template}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.maxSamples) || self.maxSamples >= self.shards",
    message = "maxSamples must be at least shards: every shard needs a sample",
    fieldPath = ".maxSamples")
@ValidationRule(
    value = "self.engine == 'vllm' || !has(self.vllm)",
    message = "vllm settings apply only to engine vllm",
    fieldPath = ".vllm")
public class HiddenStateDatasetSpec {

  /** Default number of tokens per sample (the upstream default). */
  public static final int DEFAULT_SEQUENCE_LENGTH = 8192;

  @JsonPropertyDescription("The target (verifier) model whose hidden states are generated.")
  @Required
  public ModelSource targetModel;

  @JsonPropertyDescription(
      "vllm (default): vLLM on GPUs. reference: the CPU reference engine, for tiny models.")
  @Default("vllm")
  public Engine engine = Engine.VLLM;

  @JsonPropertyDescription("The conversation sources, processed in order.")
  @Required
  @Size(min = 1, max = 32) public List<DatasetSource> datasets;

  @JsonPropertyDescription("Maximum tokens per sample; longer conversations are truncated.")
  @Default("8192")
  @Min(16) @Max(1048576) public Integer sequenceLength = DEFAULT_SEQUENCE_LENGTH;

  @JsonPropertyDescription(
      "Decoder layers whose hidden states are captured, in vLLM semantics: id k is the input of"
          + " decoder layer k, and N (the number of layers) is the final layer's output before the"
          + " norm. The last id is the verifier's final layer. Default: [2, N/2, N-3, N].")
  @Size(min = 2, max = 16) @ValidationRule(value = "self.all(x, x >= 0)", message = "layerIds must be non-negative")
  @ValidationRule(
      value = "self.all(x, self.exists_one(y, y == x))",
      message = "layerIds must be distinct")
  public List<Integer> layerIds;

  @JsonPropertyDescription("Seed for shuffling, sampling and turn dropout.")
  @Default("0")
  @Min(0) public Long seed = 0L;

  @JsonPropertyDescription("Maximum number of samples over all datasets; default: all.")
  @Min(1) public Long maxSamples;

  @JsonPropertyDescription("Number of shards, i.e. parallel pods (indexes of one Indexed Job).")
  @Default("1")
  @Min(1) @Max(1024) public Integer shards = 1;

  @JsonPropertyDescription("Requests in flight per shard against its vLLM server.")
  @Default("32")
  @Min(1) @Max(1024) public Integer concurrency = 32;

  @JsonPropertyDescription(
      "Where the dataset is written; default: a PVC the operator creates (100Gi, retained).")
  public Storage storage;

  @JsonPropertyDescription("vLLM settings (engine vllm).")
  public VllmSpec vllm;

  @JsonPropertyDescription("Overrides for the generation pods.")
  public PodOverrides podTemplate;

  @JsonPropertyDescription(
      "IfAvailable (default): when a Succeeded HiddenStateDataset in the namespace has the same"
          + " content hash (same target model and revision, sources, sequence length, layer ids,"
          + " sample cap, seed, engine), use its volume instead of generating; status.reusedFrom"
          + " names it. Never: always generate. A dataset labelled speculators.dev/shareable=false"
          + " is never reused by others.")
  @Default("IfAvailable")
  public DatasetReuse reuse = DatasetReuse.IF_AVAILABLE;

  @JsonPropertyDescription("Kueue LocalQueue: sets the kueue.x-k8s.io/queue-name label on the Job.")
  @Pattern(Patterns.LABEL_VALUE) @Size(max = 63) public String queueName;
}
