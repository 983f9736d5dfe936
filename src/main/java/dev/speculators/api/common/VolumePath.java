package dev.speculators.api.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/**
 * A file or directory on a volume. Without {@code claimName} the path is inside the resource's own
 * storage (for the local {@code run} command: a local path relative to the resource file).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.claimName) || (" + Patterns.CEL_CONTAINED_PATH_OF_PATH + ")",
    message = "path on a claim must be relative and must not contain '..'",
    fieldPath = ".path")
public class VolumePath {

  @JsonPropertyDescription(
      "PersistentVolumeClaim holding the path; default: the resource's own storage.")
  @Pattern(Patterns.DNS_SUBDOMAIN) @Size(max = 253) public String claimName;

  @JsonPropertyDescription("Path of the file or directory.")
  @Required
  @Size(min = 1, max = 1024) public String path;

  public VolumePath() {}

  public VolumePath(String claimName, String path) {
    this.claimName = claimName;
    this.path = path;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VolumePath v
        && Objects.equals(claimName, v.claimName)
        && Objects.equals(path, v.path);
  }

  @Override
  public int hashCode() {
    return Objects.hash(claimName, path);
  }
}
