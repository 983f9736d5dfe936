package dev.speculators.api.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/** A directory on an existing PersistentVolumeClaim. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PvcSource {

  @JsonPropertyDescription("Name of the PersistentVolumeClaim, in the resource's namespace.")
  @Required
  @Pattern(Patterns.DNS_SUBDOMAIN) @Size(max = 253) public String claimName;

  @JsonPropertyDescription("Directory inside the volume; default: the volume root.")
  @Size(max = 1024) @ValidationRule(
      value = Patterns.CEL_CONTAINED_PATH,
      message = "subPath must be relative and must not contain '..'")
  public String subPath;

  @Override
  public boolean equals(Object o) {
    return o instanceof PvcSource p
        && Objects.equals(claimName, p.claimName)
        && Objects.equals(subPath, p.subPath);
  }

  @Override
  public int hashCode() {
    return Objects.hash(claimName, subPath);
  }
}
