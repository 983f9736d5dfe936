package dev.speculators.train.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Packed rows for one epoch, prepared ahead of the trainer by background threads.
 *
 * <p>Rows come out in the order given. Up to {@code prefetch} rows are loaded and packed ahead of
 * the consumer, by up to {@code workers} threads. Each row is packed into one of {@code prefetch +
 * 1} reused {@link PackedRow} buffers, so memory use is fixed and the row returned by {@link
 * #next()} stays untouched until the following call to {@code next()} or {@link #close()}: the
 * trainer may wrap its direct buffers without copying for the whole step.
 *
 * <p>A failure while reading or packing is re-thrown from {@code next()} as a {@link
 * DataLoadException} whose message names the row, the sample and its file. {@link #close()} stops
 * the threads (closing early is fine) and hands the buffers back to the {@link Builder} for the
 * next loader.
 */
public final class RowLoader implements Iterator<PackedRow>, AutoCloseable {
  private static final Object END = new Object();
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final Builder config;
  private final List<int[]> rows;
  private final int epoch;
  private final BlockingQueue<PackedRow> free;
  private final BlockingQueue<Object> inFlight;
  private final List<PackedRow> owned;
  private final ExecutorService packers;
  private final Thread coordinator;
  private PackedRow current;
  private Object pending;
  private boolean finished;
  private volatile boolean closed;

  private RowLoader(Builder config, List<PackedRow> buffers, List<int[]> rows, int epoch) {
    this.config = config;
    this.rows = List.copyOf(rows);
    this.epoch = epoch;
    this.owned = List.copyOf(buffers);
    this.free = new ArrayBlockingQueue<>(buffers.size(), false, buffers);
    this.inFlight = new ArrayBlockingQueue<>(buffers.size() + 1);
    int id = INSTANCES.incrementAndGet();
    this.packers =
        Executors.newFixedThreadPool(
            Math.min(config.workers, config.prefetch), daemon("row-packer-" + id));
    this.coordinator = daemon("row-loader-" + id).newThread(this::feed);
    coordinator.start();
  }

  /** Starts configuring loaders for {@code dataset}. */
  public static Builder builder(SpeculatorsDataset dataset) {
    return new Builder(dataset);
  }

  /** Configuration shared by the loaders of a run (one loader per epoch and split). */
  public static final class Builder {
    private final SpeculatorsDataset dataset;
    private int rowLength = 8192;
    private UniformNoise noise = UniformNoise.none();
    private int prefetch = 2;
    private int workers = 1;
    private final List<PackedRow> spare = new ArrayList<>();
    private RowLoader open;

    private Builder(SpeculatorsDataset dataset) {
      this.dataset = dataset;
    }

    /** {@code T}, positions per row (default 8192). */
    public Builder rowLength(int t) {
      if (t <= 0) {
        throw new IllegalArgumentException("row length must be positive, got " + t);
      }
      this.rowLength = t;
      return this;
    }

    /** Augmentation of the auxiliary states (training only; default none). */
    public Builder noise(UniformNoise noise) {
      this.noise = noise;
      return this;
    }

    /** Rows prepared ahead of the consumer (default 2); {@code prefetch + 1} row buffers exist. */
    public Builder prefetch(int rows) {
      if (rows < 1) {
        throw new IllegalArgumentException("prefetch must be at least 1, got " + rows);
      }
      this.prefetch = rows;
      return this;
    }

    /** Threads packing rows in parallel (default 1; at most {@code prefetch} are used). */
    public Builder workers(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("workers must be at least 1, got " + threads);
      }
      this.workers = threads;
      return this;
    }

    /**
     * A loader over {@code rows}, each the dataset indices of one row's samples, in order. The
     * buffers of this builder's previous loader are reused (it must be closed first), so successive
     * epochs allocate no new direct memory.
     */
    public synchronized RowLoader open(List<int[]> rows, int epoch) {
      if (open != null && !open.closed) {
        throw new IllegalStateException("close the previous loader of this builder first");
      }
      for (int[] row : rows) {
        for (int i : row) {
          if (i < 0 || i >= dataset.size()) {
            throw new IllegalArgumentException(
                "sample index " + i + " outside the dataset's " + dataset.size() + " samples");
          }
        }
      }
      List<PackedRow> buffers = new ArrayList<>();
      for (PackedRow r : spare) {
        if (buffers.size() < prefetch + 1 && r.rowLength() == rowLength) {
          buffers.add(r);
        }
      }
      spare.clear();
      while (buffers.size() < prefetch + 1) {
        buffers.add(new PackedRow(rowLength, dataset.hiddenSize(), dataset.auxLayerCount()));
      }
      open = new RowLoader(this, buffers, rows, epoch);
      return open;
    }

    /**
     * A loader over rank {@code rank}'s rows of {@code epoch}, for a sampler built over the samples
     * {@code subset} (sampler index {@code k} is dataset index {@code subset.get(k)}).
     */
    public RowLoader open(MultipackSampler sampler, List<Integer> subset, int epoch, int rank) {
      return open(sampler, subset, epoch, rank, 0);
    }

    /**
     * Like {@link #open(MultipackSampler, List, int, int)} but without the first {@code skip} rows:
     * a run resumed in the middle of an epoch continues with exactly the rows it had not trained on
     * yet.
     */
    public RowLoader open(
        MultipackSampler sampler, List<Integer> subset, int epoch, int rank, int skip) {
      if (sampler.sampleCount() != subset.size()) {
        throw new IllegalArgumentException(
            "the sampler knows "
                + sampler.sampleCount()
                + " samples, the subset has "
                + subset.size());
      }
      if (sampler.capacity() != rowLength) {
        throw new IllegalArgumentException(
            "the sampler packs rows of " + sampler.capacity() + " tokens, the loader " + rowLength);
      }
      List<int[]> mapped = new ArrayList<>();
      for (int[] row : sampler.rowsForRank(epoch, rank)) {
        int[] ids = new int[row.length];
        for (int k = 0; k < row.length; k++) {
          ids[k] = subset.get(row[k]);
        }
        mapped.add(ids);
      }
      return open(mapped.subList(Math.min(skip, mapped.size()), mapped.size()), epoch);
    }

    private synchronized void giveBack(List<PackedRow> buffers) {
      spare.clear();
      spare.addAll(buffers);
    }
  }

  /** Rows this loader yields in total. */
  public int rowCount() {
    return rows.size();
  }

  @Override
  public boolean hasNext() {
    if (finished || closed) {
      return false;
    }
    if (pending == null) {
      pending = take();
    }
    if (pending == END) {
      finished = true;
      return false;
    }
    return true;
  }

  /**
   * The next row. The previous row's buffers are reused from now on.
   *
   * @throws DataLoadException when loading or packing the row failed
   */
  @Override
  public PackedRow next() {
    if (!hasNext()) {
      throw new NoSuchElementException(
          closed ? "the loader is closed" : "all " + rows.size() + " rows of the epoch were taken");
    }
    PackTask task = (PackTask) pending;
    pending = null;
    if (current != null) {
      free.add(current);
      current = null;
    }
    try {
      current = task.future.get();
      return current;
    } catch (ExecutionException e) {
      close();
      Throwable cause = e.getCause();
      throw new DataLoadException(
          cause.getMessage() == null ? cause.toString() : cause.getMessage(), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DataLoadException("interrupted while waiting for a packed row", e);
    } catch (CancellationException e) {
      throw new DataLoadException("the loader was closed while a row was being packed", e);
    }
  }

  /** Stops the background threads; the row last returned is no longer valid afterwards. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    finished = true;
    coordinator.interrupt();
    packers.shutdownNow();
    boolean stopped;
    try {
      coordinator.join(TimeUnit.SECONDS.toMillis(60));
      stopped = packers.awaitTermination(60, TimeUnit.SECONDS) && !coordinator.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopped = false;
    }
    current = null;
    pending = null;
    if (stopped) {
      // nothing writes into the buffers any more: all of them can serve the next loader
      config.giveBack(owned);
    }
  }

  private Object take() {
    try {
      return inFlight.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DataLoadException("interrupted while waiting for a packed row", e);
    }
  }

  /**
   * Coordinator: takes a free buffer for each row, in order, before submitting its packing, so the
   * oldest unfinished row always has a buffer and rows can be delivered in order.
   */
  private void feed() {
    try {
      for (int r = 0; r < rows.size() && !closed; r++) {
        PackTask task = new PackTask(r, rows.get(r), free.take());
        task.future = packers.submit(task::call);
        inFlight.put(task);
      }
      inFlight.put(END);
    } catch (InterruptedException | RejectedExecutionException e) {
      // closed while waiting: nobody takes rows any more
    }
  }

  /** Loads the samples of one row and packs them into its buffer. */
  private final class PackTask {
    private final int index;
    private final int[] samples;
    private final PackedRow row;
    private Future<PackedRow> future;

    PackTask(int index, int[] samples, PackedRow row) {
      this.index = index;
      this.samples = samples;
      this.row = row;
    }

    PackedRow call() throws IOException {
      List<AlignedSample> docs = new ArrayList<>(samples.length);
      long packed = 0;
      for (int s : samples) {
        if (packed >= config.rowLength) {
          break; // dropped by the packer anyway: no need to read it
        }
        try {
          AlignedSample doc = config.dataset.load(s);
          docs.add(doc);
          packed += doc.length();
        } catch (IOException | RuntimeException e) {
          throw new IOException(describe(s) + ": " + e.getMessage(), e);
        }
      }
      try {
        new RowPacker(config.noise).pack(docs, Arrays.copyOf(samples, docs.size()), epoch, row);
      } catch (IOException | RuntimeException e) {
        throw new IOException("row " + index + " of epoch " + epoch + ": " + e.getMessage(), e);
      }
      return row;
    }

    private String describe(int sample) {
      return "row " + index + " of epoch " + epoch + ", sample " + sample;
    }
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
