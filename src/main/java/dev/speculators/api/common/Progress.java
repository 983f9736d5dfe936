package dev.speculators.api.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** Progress shared by all kinds: a short summary for the Progress printer column. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public abstract class Progress {

  @JsonPropertyDescription("Short human summary, e.g. '3/4 shards' or 'epoch 2/10'.")
  public String summary;

  @JsonPropertyDescription(
      "The current rate, e.g. '41.2 samples/s, 52.1k tokens/s' (from the workers' progress lines).")
  public String rate;

  @JsonPropertyDescription("Seconds the running work has taken so far, as its workers report it.")
  public Long elapsedSeconds;

  @JsonPropertyDescription(
      "When the running work is expected to finish (RFC 3339), at the current rate. Rounded to the"
          + " minute and only moved when the estimate shifts by more than a minute and 5 % of what"
          + " remains, so that it does not rewrite the status on every progress line.")
  public String eta;

  protected boolean commonEquals(Progress p) {
    return Objects.equals(summary, p.summary)
        && Objects.equals(rate, p.rate)
        && Objects.equals(elapsedSeconds, p.elapsedSeconds)
        && Objects.equals(eta, p.eta);
  }

  protected int commonHashCode() {
    return Objects.hash(summary, rate, elapsedSeconds, eta);
  }
}
