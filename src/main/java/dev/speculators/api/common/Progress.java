package dev.speculators.api.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** Progress shared by all kinds: a short summary for the Progress printer column. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public abstract class Progress {

  @JsonPropertyDescription("Short human summary, e.g. '3/4 shards' or 'epoch 2/10'.")
  public String summary;

  protected boolean commonEquals(Progress p) {
    return Objects.equals(summary, p.summary);
  }
}
