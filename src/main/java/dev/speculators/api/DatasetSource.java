package dev.speculators.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.speculators.api.common.Patterns;
import dev.speculators.api.common.VolumePath;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** One source of conversations: a preset, a Hugging Face dataset, or files on a volume. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "[has(self.preset), has(self.hf), has(self.path)].filter(x, x).size() == 1",
    message = "exactly one of preset, hf or path must be set")
@ValidationRule(
    value = "!has(self.split) || !has(self.path)",
    message = "split applies only to preset and hf datasets",
    fieldPath = ".split")
public class DatasetSource {

  @JsonPropertyDescription("A well-known chat dataset: sharegpt or ultrachat.")
  public DatasetPreset preset;

  @JsonPropertyDescription(
      "A Hugging Face dataset, org/dataset, optionally with a file: org/dataset:file.jsonl.")
  @Pattern(Patterns.HF_DATASET) @Size(max = 512) public String hf;

  @JsonPropertyDescription("A .json, .jsonl or .parquet file, or a directory of them, on a volume.")
  public VolumePath path;

  @JsonPropertyDescription("Maximum conversations taken from this source; default: all.")
  @Min(1) public Long maxSamples;

  @JsonPropertyDescription(
      "Randomly cut multi-turn conversations after a seeded number of turns, dropping the"
          + " turns after it (data augmentation).")
  @Default("false")
  public Boolean turnDropout = false;

  @JsonPropertyDescription(
      "Split of a preset or hf dataset: selects the data files whose path mentions it (ultrachat:"
          + " data/<split>-*.parquet). Default: train (train_sft for ultrachat).")
  @Pattern("^[A-Za-z0-9_.-]+$") @Size(max = 64) public String split;
}
