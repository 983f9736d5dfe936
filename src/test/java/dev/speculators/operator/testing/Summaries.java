package dev.speculators.operator.testing;

import java.util.Locale;

/** Termination-message summaries in the shape the worker commands write them. */
public final class Summaries {
  private Summaries() {}

  public static String datagen(
      int shard, int shards, long samples, long tokens, long bytes, boolean merged) {
    return String.format(
        Locale.ROOT,
        "{\"kind\":\"datagen\",\"shard\":%d,\"shards\":%d,\"samples\":%d,\"failedSamples\":1,\"tokens\":%d,"
            + "\"bytes\":%d,\"skipped\":0,\"merged\":%s}",
        shard,
        shards,
        samples,
        tokens,
        bytes,
        merged);
  }

  public static String train(int epochs, double valLoss) {
    return String.format(
        Locale.ROOT,
        "{\"kind\":\"train\",\"epoch\":%d,\"epochs\":%d,\"globalStep\":%d,\"stepsPerEpoch\":50,"
            + "\"trainLoss\":2.5,\"valLoss\":%s,\"fullAcc\":[0.7,0.5,0.3],\"condAcc\":[0.7,0.71,0.6],"
            + "\"bestEpoch\":%d,\"checkpoint\":\"checkpoints/%d\",\"final\":\"final\",\"interrupted\":false,"
            + "\"tokens\":123456,\"wallSeconds\":321.5}",
        epochs,
        epochs,
        epochs * 50,
        valLoss,
        epochs,
        epochs);
  }

  public static String eval(double meanAcceptanceLength) {
    return String.format(
        Locale.ROOT,
        "{\"kind\":\"eval\",\"meanAcceptanceLength\":%s,\"perPositionAcceptance\":[0.7,0.5,0.3],"
            + "\"conditionalAcceptance\":[0.7,0.714,0.6],\"drafts\":1000,\"draftTokens\":3000,"
            + "\"acceptedTokens\":1500,\"outputTokensPerSecond\":812.5,\"baselineOutputTokensPerSecond\":400.0,"
            + "\"speedup\":2.03,\"ttftMsMedian\":45.0,\"itlMsMedian\":7.5,\"datasets\":1}",
        meanAcceptanceLength);
  }
}
