package dev.speculators.datagen.chat;

/** One training row: token ids and the loss mask (1 on assistant tokens), same length. */
public record TokenRow(long[] inputIds, long[] lossMask) {
  public TokenRow {
    if (inputIds.length != lossMask.length) {
      throw new IllegalArgumentException(
          "input_ids has " + inputIds.length + " tokens but loss_mask " + lossMask.length);
    }
  }

  public int length() {
    return inputIds.length;
  }

  public long maskedTokens() {
    long n = 0;
    for (long m : lossMask) {
      n += m;
    }
    return n;
  }
}
