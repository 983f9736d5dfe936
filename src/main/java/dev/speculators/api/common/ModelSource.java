package dev.speculators.api.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Objects;

/**
 * Where the target (verifier) model comes from: exactly one of a Hugging Face id, a directory on a
 * PVC, or a directory already present in the container image (or, for the local {@code run}
 * command, relative to the resource file).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "[has(self.hfId), has(self.pvc), has(self.path)].filter(x, x).size() == 1",
    message = "exactly one of hfId, pvc or path must be set")
@ValidationRule(
    value = "!has(self.revision) || has(self.hfId)",
    message = "revision applies only to hfId")
@ValidationRule(
    value = "!has(self.tokenSecretRef) || has(self.hfId)",
    message = "tokenSecretRef applies only to hfId (it authenticates the download)")
public class ModelSource {

  @JsonPropertyDescription("Hugging Face model id, e.g. meta-llama/Llama-3.1-8B-Instruct.")
  @Pattern(Patterns.HF_REPO_ID) @Size(max = 200) public String hfId;

  @JsonPropertyDescription("Revision (branch, tag or commit) of hfId; default: the main branch.")
  @Pattern(Patterns.REVISION) @Size(max = 255) public String revision;

  @JsonPropertyDescription(
      "A Hugging Face model directory (config.json, *.safetensors, tokenizer) on a PVC.")
  public PvcSource pvc;

  @JsonPropertyDescription(
      "A model directory already present in the container image. For the local run command, a"
          + " path relative to the resource file.")
  @Size(min = 1, max = 1024) public String path;

  @JsonPropertyDescription("Secret holding a Hugging Face token, for gated models.")
  public SecretKeyRef tokenSecretRef;

  @JsonPropertyDescription(
      "Vocabulary size of the target model, when known. Lets admission check draft.draftVocabSize;"
          + " the trainer checks it against the model's config.json.")
  @Min(1) @Max(16777216) public Integer vocabSize;

  @JsonPropertyDescription(
      "Size of the model's weights on disk (its *.safetensors; metadata.total_size of"
          + " model.safetensors.index.json), e.g. 140Gi, when known. Sizes the memory the vLLM"
          + " containers request; default: 16Gi (an 8B model in bf16).")
  @ValidationRule(
      value = "type(self) == int ? self > 0 : self.matches('" + Patterns.QUANTITY + "')",
      message = "size must be a positive quantity such as 140Gi")
  public Quantity size;

  /** A short human-readable name of the source, for logs and events. */
  public String describe() {
    if (hfId != null) {
      return revision == null ? hfId : hfId + "@" + revision;
    }
    if (pvc != null) {
      return "pvc:" + pvc.claimName + (pvc.subPath == null ? "" : "/" + pvc.subPath);
    }
    return path;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelSource m
        && Objects.equals(hfId, m.hfId)
        && Objects.equals(revision, m.revision)
        && Objects.equals(pvc, m.pvc)
        && Objects.equals(path, m.path)
        && Objects.equals(tokenSecretRef, m.tokenSecretRef)
        && Objects.equals(vocabSize, m.vocabSize)
        && Objects.equals(size, m.size);
  }

  @Override
  public int hashCode() {
    return Objects.hash(hfId, revision, pvc, path, tokenSecretRef, vocabSize, size);
  }
}
