package dev.speculators.api.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/** One key of a Secret in the resource's namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretKeyRef {

  @JsonPropertyDescription("Name of the Secret.")
  @Required
  @Pattern(Patterns.DNS_SUBDOMAIN) @Size(max = 253) public String name;

  @JsonPropertyDescription("Key in the Secret whose value is the token.")
  @Default("token")
  @Pattern(Patterns.SECRET_KEY) @Size(max = 253) public String key = "token";

  @Override
  public boolean equals(Object o) {
    return o instanceof SecretKeyRef s
        && Objects.equals(name, s.name)
        && Objects.equals(key, s.key);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, key);
  }
}
