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

  /**
   * A finished training: {@code epoch} counts the epochs done (from 1, like the logs), {@code
   * bestEpoch} and the checkpoint folders count from 0, like upstream speculators' folders.
   */
  public static String train(int epochs, double valLoss) {
    return String.format(
        Locale.ROOT,
        "{\"kind\":\"train\",\"epoch\":%d,\"epochs\":%d,\"globalStep\":%d,\"stepsPerEpoch\":50,"
            + "\"trainLoss\":2.5,\"valLoss\":%s,\"fullAcc\":[0.7,0.5,0.3],\"condAcc\":[0.7,0.71,0.6],"
            + "\"bestEpoch\":%d,\"checkpoint\":\"checkpoints/%d\",\"final\":\"final\","
            + "\"maxPositionEmbeddings\":131072,\"interrupted\":false,"
            + "\"tokens\":123456,\"wallSeconds\":321.5}",
        epochs,
        epochs,
        epochs * 50,
        valLoss,
        epochs - 1,
        epochs - 1);
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
