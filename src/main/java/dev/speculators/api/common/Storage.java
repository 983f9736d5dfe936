package dev.speculators.api.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Objects;

/**
 * Where a resource writes its outputs: an existing PVC (plus a sub-directory), or a PVC the
 * operator creates with the given size. Outputs are never deleted unless the operator created the
 * PVC and {@code retentionPolicy} is {@code Delete}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.claimName) != has(self.size)",
    message =
        "exactly one of claimName (an existing PVC) or size (a PVC the operator creates) must be set")
@ValidationRule(
    value = "!has(self.subPath) || has(self.claimName)",
    message = "subPath applies only to an existing claimName",
    fieldPath = ".subPath")
@ValidationRule(
    value = "has(self.size) || (!has(self.storageClassName) && !has(self.accessModes))",
    message = "storageClassName and accessModes apply only to a PVC the operator creates (size)")
@ValidationRule(
    value = "self.retentionPolicy == 'Retain' || has(self.size)",
    message =
        "retentionPolicy Delete applies only to a PVC the operator creates (size); an existing claim is never deleted",
    fieldPath = ".retentionPolicy")
public class Storage {

  @JsonPropertyDescription("An existing PersistentVolumeClaim to write into.")
  @Pattern(Patterns.DNS_SUBDOMAIN) @Size(max = 253) public String claimName;

  @JsonPropertyDescription(
      "Directory inside claimName; default: a directory named after the resource.")
  @Size(max = 1024) @ValidationRule(
      value = Patterns.CEL_CONTAINED_PATH,
      message = "subPath must be relative and must not contain '..'")
  public String subPath;

  @JsonPropertyDescription("Size of a PVC the operator creates, e.g. 200Gi.")
  @ValidationRule(
      value = "type(self) == int ? self > 0 : self.matches('" + Patterns.QUANTITY + "')",
      message = "size must be a positive quantity such as 200Gi")
  public Quantity size;

  @JsonPropertyDescription("StorageClass of the created PVC; default: the cluster default.")
  @Pattern(Patterns.DNS_SUBDOMAIN) @Size(max = 253) public String storageClassName;

  @JsonPropertyDescription("Access modes of the created PVC; default: [ReadWriteOnce].")
  @Size(min = 1, max = 4) public List<AccessMode> accessModes;

  @JsonPropertyDescription(
      "What happens to a created PVC when the resource is deleted: Retain (default) keeps it,"
          + " Delete removes it with the resource.")
  @Default("Retain")
  public RetentionPolicy retentionPolicy = RetentionPolicy.RETAIN;

  @Override
  public boolean equals(Object o) {
    return o instanceof Storage s
        && Objects.equals(claimName, s.claimName)
        && Objects.equals(subPath, s.subPath)
        && Objects.equals(size, s.size)
        && Objects.equals(storageClassName, s.storageClassName)
        && Objects.equals(accessModes, s.accessModes)
        && retentionPolicy == s.retentionPolicy;
  }

  @Override
  public int hashCode() {
    return Objects.hash(claimName, subPath, size, storageClassName, accessModes, retentionPolicy);
  }
}
