package dev.speculators.train.data;

import java.util.List;

/**
 * The data side of a training run, wired once: the file split, one multipack sampler per split, and
 * a row-loader builder per split (training rows noised, validation rows not). Each epoch the
 * trainer asks for {@link #trainRows(int)} and {@link #validationRows(int)} and closes them.
 *
 * <p>Both samplers use the same seed (upstream uses 0 for both); the split uses it too.
 */
public final class TrainingData {
  private final SpeculatorsDataset dataset;
  private final Options options;
  private final DatasetSplit split;
  private final MultipackSampler trainSampler;
  private final MultipackSampler validationSampler;
  private final RowLoader.Builder trainLoaders;
  private final RowLoader.Builder validationLoaders;

  /**
   * How rows are made.
   *
   * @param rowLength {@code T}, tokens per packed row ({@code --total-seq-len}, default 8192)
   * @param validationRatio share of files held out ({@link DatasetSplit}), default 0.1
   * @param seed seeds split, sampling and noise
   * @param world data-parallel ranks
   * @param rank this process's rank
   * @param noiseStd uniform noise half-width on the auxiliary states of training rows (0.05)
   * @param prefetch rows packed ahead of the trainer
   * @param workers threads packing rows
   */
  public record Options(
      int rowLength,
      double validationRatio,
      long seed,
      int world,
      int rank,
      double noiseStd,
      int prefetch,
      int workers) {
    /** Upstream's defaults on one rank. */
    public static Options defaults() {
      return new Options(8192, DatasetSplit.DEFAULT_VALIDATION_RATIO, 0, 1, 0, 0.05, 2, 1);
    }

    public Options {
      if (rank < 0 || rank >= world) {
        throw new IllegalArgumentException("rank " + rank + " outside [0, " + world + ")");
      }
    }

    public Options withRowLength(int t) {
      return new Options(t, validationRatio, seed, world, rank, noiseStd, prefetch, workers);
    }

    public Options withValidationRatio(double r) {
      return new Options(rowLength, r, seed, world, rank, noiseStd, prefetch, workers);
    }

    public Options withSeed(long s) {
      return new Options(rowLength, validationRatio, s, world, rank, noiseStd, prefetch, workers);
    }

    public Options withRanks(int worldSize, int thisRank) {
      return new Options(
          rowLength, validationRatio, seed, worldSize, thisRank, noiseStd, prefetch, workers);
    }

    public Options withNoiseStd(double std) {
      return new Options(rowLength, validationRatio, seed, world, rank, std, prefetch, workers);
    }

    public Options withLoading(int prefetchRows, int workerThreads) {
      return new Options(
          rowLength, validationRatio, seed, world, rank, noiseStd, prefetchRows, workerThreads);
    }
  }

  private TrainingData(SpeculatorsDataset dataset, Options options) {
    this.dataset = dataset;
    this.options = options;
    this.split = dataset.split(options.validationRatio(), options.seed());
    this.trainSampler = sampler(split.train());
    this.validationSampler = sampler(split.validation());
    this.trainLoaders =
        RowLoader.builder(dataset)
            .rowLength(options.rowLength())
            .noise(UniformNoise.of(options.noiseStd(), options.seed()))
            .prefetch(options.prefetch())
            .workers(options.workers());
    this.validationLoaders =
        RowLoader.builder(dataset)
            .rowLength(options.rowLength())
            .prefetch(options.prefetch())
            .workers(options.workers());
  }

  /** Splits {@code dataset} and prepares its samplers. */
  public static TrainingData of(SpeculatorsDataset dataset, Options options) {
    return new TrainingData(dataset, options);
  }

  private MultipackSampler sampler(List<Integer> subset) {
    long[] all = dataset.packedLengths();
    long[] lengths = new long[subset.size()];
    for (int k = 0; k < lengths.length; k++) {
      lengths[k] = all[subset.get(k)];
    }
    return new MultipackSampler(lengths, options.rowLength(), options.world(), options.seed());
  }

  public SpeculatorsDataset dataset() {
    return dataset;
  }

  public DatasetSplit split() {
    return split;
  }

  /** Optimizer steps in a training epoch (the same on every rank). */
  public int trainStepsPerEpoch(int epoch) {
    return trainSampler.stepsPerEpoch(epoch);
  }

  /** Validation rows per rank in an epoch. */
  public int validationStepsPerEpoch(int epoch) {
    return validationSampler.stepsPerEpoch(epoch);
  }

  /**
   * This rank's training rows of {@code epoch}, noised. Close it before asking for the next epoch.
   */
  public RowLoader trainRows(int epoch) {
    return trainRows(epoch, 0);
  }

  /** Like {@link #trainRows(int)} without the first {@code skip} rows (mid-epoch resume). */
  public RowLoader trainRows(int epoch, int skip) {
    return trainLoaders.open(trainSampler, split.train(), epoch, options.rank(), skip);
  }

  /** This rank's validation rows of {@code epoch}, without noise. */
  public RowLoader validationRows(int epoch) {
    return validationLoaders.open(validationSampler, split.validation(), epoch, options.rank());
  }
}
