package dev.speculators.train.data;

import java.util.ArrayList;
import java.util.List;

/**
 * A deterministic train/validation split of a dataset by sample file.
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

  static int validationCount(int n, double ratio) {
    if (ratio == 0 || n < 2) {
      return 0;
    }
    // the small tolerance keeps e.g. 10 * 0.1 from rounding up to 2
    int v = (int) Math.ceil(n * ratio - 1e-9);
    return Math.max(1, Math.min(n - 1, v));
  }
}
