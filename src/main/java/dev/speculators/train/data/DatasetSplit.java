package dev.speculators.train.data;

import java.util.ArrayList;
import java.util.List;

/**
 * A deterministic train/validation split of a dataset by sample file ({@link #of}), or by row for a
 * speculators 0.5+ dataset ({@link #byRows}).
 *
 * <p>The files are taken in the dataset's stable order (numeric {@code data_<i>.pt} order, see
 * {@link SpeculatorsDataset}), shuffled with a seeded generator, and the last {@code ceil(n *
 * ratio)} go to validation, at least one when there are two or more files and at most {@code n -
 * 1}. A ratio of 0 means no validation. The same dataset, ratio and seed give the same split on
 * every machine.
 *
 * <p>Upstream splits the list returned by an unsorted directory walk ({@code random.seed(0)},
 * shuffle, first 90% train), so its split depends on the file system's listing order and cannot be
 * reproduced exactly; this split depends only on the file names.
 *
 * @param train sample indices (into the dataset) used for training, in shuffled order
 * @param validation sample indices held out for validation
 */
public record DatasetSplit(List<Integer> train, List<Integer> validation) {
  /** Upstream's default validation share. */
  public static final double DEFAULT_VALIDATION_RATIO = 0.1;

  public DatasetSplit {
    train = List.copyOf(train);
    validation = List.copyOf(validation);
  }

  /**
   * Splits {@code sampleCount} samples.
   *
   * @param validationRatio share of files held out, in {@code [0, 1)}
   */
  public static DatasetSplit of(int sampleCount, double validationRatio, long seed) {
    if (!(validationRatio >= 0 && validationRatio < 1)) {
      throw new IllegalArgumentException(
          "validation ratio must be in [0, 1), got " + validationRatio);
    }
    List<Integer> order = new ArrayList<>(sampleCount);
    for (int i : SeededPermutation.of(sampleCount, seed)) {
      order.add(i);
    }
    int validation = validationCount(sampleCount, validationRatio);
    int cut = sampleCount - validation;
    return new DatasetSplit(order.subList(0, cut), order.subList(cut, sampleCount));
  }

  /**
   * Splits the samples of a speculators 0.5+ dataset as upstream's {@code ArrowDataset} does:
   * contiguously by dataset row, rows {@code [0, (long) (rows * (1 - ratio)))} for training and the
   * rest for validation, counting rows without hidden states too. Where that leaves one side empty
   * although there are two or more samples (upstream refuses to start), the last training sample
   * moves to validation or the first validation sample to training; a single sample trains; as
   * {@link #of} does.
   *
   * @param rowOfSample the dataset row of each sample, ascending
   * @param rowCount rows in the dataset
   * @param validationRatio share held out, in {@code [0, 1)}; upstream's {@code --train-data-ratio}
   *     is {@code 1 - validationRatio}
   */
  public static DatasetSplit byRows(long[] rowOfSample, long rowCount, double validationRatio) {
    if (!(validationRatio >= 0 && validationRatio < 1)) {
      throw new IllegalArgumentException(
          "validation ratio must be in [0, 1), got " + validationRatio);
    }
    int n = rowOfSample.length;
    long cutRow = (long) (rowCount * (1 - validationRatio));
    int cut = 0;
    while (cut < n && rowOfSample[cut] < cutRow) {
      cut++;
    }
    if (validationRatio == 0 || n < 2) {
      cut = n;
    } else {
      cut = Math.max(1, Math.min(n - 1, cut));
    }
    List<Integer> train = new ArrayList<>(cut);
    List<Integer> validation = new ArrayList<>(n - cut);
    for (int i = 0; i < n; i++) {
      (i < cut ? train : validation).add(i);
    }
    return new DatasetSplit(train, validation);
  }

  static int validationCount(int n, double ratio) {
    if (ratio == 0 || n < 2) {
      return 0;
    }
    // the small tolerance keeps e.g. 10 * 0.1 from rounding up to 2
    int v = (int) Math.ceil(n * ratio - 1e-9);
    return Math.max(1, Math.min(n - 1, v));
  }
}
