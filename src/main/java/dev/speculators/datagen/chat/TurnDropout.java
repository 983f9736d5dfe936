package dev.speculators.datagen.chat;

import dev.speculators.datagen.SplitMix64;

/**
 * Turn dropout, seeded: draw {@code keep} uniformly from {@code 1..len}, then keep the turns up to
 * and including the first trained assistant turn at index {@code ≥ keep − 1}. This is the rule
 * earlier upstream speculators releases applied (current upstream has no turn dropout); they drew
 * from Python's unseeded {@code random}, here the draw comes from a generator derived from the run
 * seed and the record's identity, so every shard and every rerun cuts the same conversation the
 * same way.
 */
public final class TurnDropout {
  private TurnDropout() {}

  public static Conversation apply(Conversation c, SplitMix64 rng) {
    int len = c.messages().size();
    if (len == 0) {
      return c;
    }
    int keep = 1 + (int) rng.nextLong(len);
    for (int i = Math.max(keep - 1, 1); i < len; i++) {
      if (c.messages().get(i).isAssistant()) {
        return new Conversation(c.messages().subList(0, i + 1));
      }
    }
    return c;
  }
}
