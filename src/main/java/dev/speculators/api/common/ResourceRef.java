package dev.speculators.api.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/** A reference to another resource in the same namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ResourceRef {

  @JsonPropertyDescription("Name of the resource, in the same namespace.")
  @Required
  @Pattern(Patterns.DNS_SUBDOMAIN) @Size(max = 253) public String name;

  public ResourceRef() {}

  public ResourceRef(String name) {
    this.name = name;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ResourceRef r && Objects.equals(name, r.name);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(name);
  }
}
