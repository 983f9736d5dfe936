package dev.speculators.datagen;

import java.util.Locale;

/**
 * How many bytes a hidden-state dataset takes on its volume, before it is generated:
 *
 * <pre>
 * bytes = samples × (meanTokens × (layers × hiddenSize × 2 + 16) + fileOverhead(layers))
 *       + samples × {@value #BOOKKEEPING_BYTES_PER_SAMPLE}
 *       + min(samples × meanTokens, {@value #MAX_VOCABULARY}) × {@value #TOKEN_FREQUENCY_BYTES} + {@value #FIXED_BYTES}
 * fileOverhead(layers) = {@value #CONTAINER_BASE_BYTES} + layers × {@value #CONTAINER_BYTES_PER_LAYER}
 * </pre>
 *
 * Each {@code data_<i>.pt} holds the hidden states of the captured layers in bf16 (2 bytes per
 * value), the token ids and the loss mask in int64 (8 bytes each per token), and the torch zip
 * container around them: one uncompressed, 64-byte aligned record per tensor and for the pickle and
 * torch's small records, each with a local header, a central-directory entry and on average half an
 * alignment block. Beside the samples: {@code sample_lengths.json} and the shard markers (a line
 * per sample in each), {@code token_freq.pt} and {@code data_config.json}.
 *
 * <p>The mean tokens per sample come from the source where they are known (measured on rendered
 * rows, or from a finished dataset over the same conversations), else from the sequence-length cap,
 * which makes the estimate an upper bound ({@link #measured} false).
 *
 * @param samples number of samples (rows)
 * @param meanTokens mean tokens per sample
 * @param layers captured hidden-state layers
 * @param hiddenSize the target model's hidden size
 * @param measured true when {@code meanTokens} was measured on the source, false when it is the
 *     sequence-length cap
 */
public record DatasetSize(
    long samples, double meanTokens, int layers, int hiddenSize, boolean measured) {
  /** Bytes per token besides the hidden states: int64 input id and int64 loss mask. */
  static final int TOKEN_BYTES = 16;

  /**
   * The torch container of a sample file without hidden states: data.pkl, the records of the token
   * ids and the loss mask, torch's five small records, each with a zip local header, a central
   * directory entry and on average half of the 64-byte alignment; the zip end record. Measured on
   * the files {@link SampleStore} writes (one- to six-digit row numbers), as the test checks.
   */
  static final int CONTAINER_BASE_BYTES = 1560;

  /** Container bytes per hidden-state tensor: its zip record and its pickle entry (measured). */
  static final int CONTAINER_BYTES_PER_LAYER = 312;

  /** sample_lengths.json and the shard markers: an entry per sample in each. */
  static final int BOOKKEEPING_BYTES_PER_SAMPLE = 40;

  /** data_config.json and the plan. */
  static final int FIXED_BYTES = 64 << 10;

  /**
   * token_freq.pt (and each shard's copy) per distinct token: a pickled int key and count. There
   * are at most as many distinct tokens as tokens, and at most {@value #MAX_VOCABULARY}.
   */
  static final int TOKEN_FREQUENCY_BYTES = 16;

  /** The largest vocabulary the token-frequency allowance assumes. */
  static final int MAX_VOCABULARY = 262_144;

  public DatasetSize {
    if (samples < 0 || !(meanTokens >= 0) || layers < 1 || hiddenSize < 1) {
      throw new IllegalArgumentException(
          "dataset size of "
              + samples
              + " samples × "
              + meanTokens
              + " tokens × "
              + layers
              + " layers × "
              + hiddenSize);
    }
  }

  /** Bytes of one sample file of {@code tokens} tokens. */
  public double sampleBytes(double tokens) {
    return tokens * ((double) layers * hiddenSize * 2 + TOKEN_BYTES) + fileOverhead();
  }

  /** The container bytes of one sample file, independent of its length. */
  public long fileOverhead() {
    return CONTAINER_BASE_BYTES + (long) layers * CONTAINER_BYTES_PER_LAYER;
  }

  /** Bytes of the whole dataset directory. */
  public long bytes() {
    double distinct = Math.min(samples * meanTokens, MAX_VOCABULARY);
    double total =
        samples * (sampleBytes(meanTokens) + BOOKKEEPING_BYTES_PER_SAMPLE)
            + distinct * TOKEN_FREQUENCY_BYTES
            + FIXED_BYTES;
    return (long) Math.ceil(total);
  }

  /** How the estimate was made, for messages. */
  public String describe() {
    return String.format(
        Locale.ROOT,
        "%d samples × %s %.0f tokens × %d layers × hidden size %d in bf16",
        samples,
        measured ? "mean" : "at most",
        meanTokens,
        layers,
        hiddenSize);
  }
}
