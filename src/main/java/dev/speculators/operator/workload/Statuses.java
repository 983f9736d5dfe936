package dev.speculators.operator.workload;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speculators.api.common.ResourceStatus;
import dev.speculators.operator.status.Conditions;
import dev.speculators.operator.status.Outcome;
import dev.speculators.operator.status.Reason;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/** Small helpers shared by the planners. */
public final class Statuses {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Statuses() {}

  /** A deep copy of {@code status} (null stays null). */
  public static <S> S copy(S status, Class<S> type) {
    return status == null ? null : JSON.convertValue(status, type);
  }

  /** The JSON name of an enum constant (its {@code @JsonProperty}), or null. */
  public static String name(Enum<?> value) {
    return value == null ? null : JSON.convertValue(value, String.class);
  }

  /** An RFC 3339 timestamp in whole seconds. */
  public static String time(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** The reason of the Ready condition of a status, if any. */
  public static Optional<String> readyReason(ResourceStatus status) {
    return status == null
        ? Optional.empty()
        : status.condition(Conditions.READY).map(c -> c.getReason());
  }

  /** The outcome a status last reported (from its Ready condition and message), if any. */
  public static Optional<Outcome> lastOutcome(ResourceStatus status) {
    return readyReason(status)
        .flatMap(
            r -> {
              try {
                return Optional.of(Outcome.of(Reason.valueOf(r), status.message));
              } catch (IllegalArgumentException e) {
                return Optional.empty();
              }
            });
  }
}
