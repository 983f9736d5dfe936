package dev.speculators.train.data;

import dev.speculators.io.HostTensor;
import dev.speculators.io.dataset.HfDatasetDir;
import dev.speculators.io.dataset.HiddenStatesFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.function.Consumer;

/**
 * The samples of a speculators 0.5+ dataset (eagle3-spec §4.5): the rows of the preprocessed
 * dataset ({@code prepare_data.py}'s {@code save_to_disk} directory: {@code input_ids}, {@code
 * loss_mask}) that have a hidden-states file {@code hidden_states/hs_<row>.safetensors} whose
 * {@code token_ids} equal the row's {@code input_ids} — the rows upstream's {@code ArrowDataset}
 * trains on; it skips the others too (a missing file with {@code --on-missing skip}, other token
 * ids always).
 *
 * <p>Opening reads every row once and every file's header and token ids; the hidden states are read
 * when a sample is loaded. Kept in memory: the loss masks as bits and a 64-bit fingerprint of each
 * row's ids, so a file changed after opening is noticed.
 */
final class HiddenStateRows {
  static final String INPUT_IDS = "input_ids";
  static final String LOSS_MASK = "loss_mask";

  private final Path hiddenStatesDir;
  private final long rowCount;
  private final long[] rows;
  private final List<Path> files;
  private final int[] lengths;
  private final long[] maskStart;
  private final BitSet masks;
  private final long[] fingerprints;
  private final int layers;
  private final int hiddenSize;

  private HiddenStateRows(Scan s) {
    this.hiddenStatesDir = s.hiddenStatesDir;
    this.rowCount = s.rowCount;
    this.rows = s.rows.stream().mapToLong(Long::longValue).toArray();
    this.files = List.copyOf(s.files);
    this.lengths = s.lengths.stream().mapToInt(Integer::intValue).toArray();
    this.maskStart = s.maskStart.stream().mapToLong(Long::longValue).toArray();
    this.masks = s.masks;
    this.fingerprints = s.fingerprints.stream().mapToLong(Long::longValue).toArray();
    this.layers = s.layers;
    this.hiddenSize = s.hiddenSize;
  }

  /**
   * Scans a preprocessed dataset and its hidden states.
   *
   * @param dataset the {@code save_to_disk} directory
   * @param hiddenStatesDir where the {@code hs_<row>.safetensors} files are
   * @param onMissing what to do about rows without a file
   * @param progress receives a line now and then, and the count of skipped rows
   * @throws IOException when a row is malformed (input_ids and loss_mask of different lengths, a
   *     mask value other than 0/1), a file is corrupt or disagrees with the others in layers or
   *     hidden size, or no row has a usable file; the message names the row or file
   */
  static HiddenStateRows open(
      Path dataset, Path hiddenStatesDir, MissingHiddenStates onMissing, Consumer<String> progress)
      throws IOException {
    if (!Files.isDirectory(hiddenStatesDir)) {
      throw new IOException(
          "no hidden-states directory "
              + hiddenStatesDir
              + " for "
              + dataset
              + ": generate the hidden states of the preprocessed dataset first (vLLM with the"
              + " hidden-states connector, then data_generation_offline.py), or name their"
              + " folder with --hidden-states-path");
    }
    HfDatasetDir dir = HfDatasetDir.open(dataset);
    Scan s = new Scan(hiddenStatesDir);
    long[] lastReport = {System.nanoTime()};
    dir.scan(
        List.of(INPUT_IDS, LOSS_MASK),
        (row, values) -> {
          s.add(row, values);
          if (System.nanoTime() - lastReport[0] > 5_000_000_000L) {
            progress.accept("checking hidden-state files: " + (row + 1) + " rows done");
            lastReport[0] = System.nanoTime();
          }
        });
    if (s.files.isEmpty()) {
      throw new IOException(
          "none of the "
              + s.rowCount
              + " rows of "
              + dataset
              + " has a usable hidden-states file in "
              + hiddenStatesDir
              + " ("
              + s.missing.size()
              + " missing, "
              + s.otherIds.size()
              + " with other token ids)");
    }
    if (onMissing == MissingHiddenStates.RAISE && !s.missing.isEmpty()) {
      throw new IOException(
          s.missing.size()
              + " of "
              + s.rowCount
              + " rows of "
              + dataset
              + " have no hidden-states file in "
              + hiddenStatesDir
              + examples(s.missing)
              + " (--on-missing raise; warn or skip trains on the others)");
    }
    List<String> skipped = new ArrayList<>();
    if (onMissing == MissingHiddenStates.WARN && !s.missing.isEmpty()) {
      skipped.add(s.missing.size() + " without a file" + examples(s.missing));
    }
    if (!s.otherIds.isEmpty()) {
      // upstream warns about these whatever --on-missing says
      skipped.add(s.otherIds.size() + " whose file holds other token ids" + examples(s.otherIds));
    }
    if (!skipped.isEmpty()) {
      progress.accept(
          "hidden states: "
              + s.files.size()
              + " of "
              + s.rowCount
              + " rows usable; skipped "
              + String.join(" and ", skipped)
              + ", as upstream training skips them");
    }
    return new HiddenStateRows(s);
  }

  int size() {
    return files.size();
  }

  /** Rows in the preprocessed dataset, with or without hidden states. */
  long rowCount() {
    return rowCount;
  }

  /** The dataset row of sample {@code i}. */
  long row(int i) {
    return rows[i];
  }

  Path file(int i) {
    return files.get(i);
  }

  List<Path> files() {
    return files;
  }

  int length(int i) {
    return lengths[i];
  }

  int layers() {
    return layers;
  }

  int hiddenSize() {
    return hiddenSize;
  }

  Path hiddenStatesDir() {
    return hiddenStatesDir;
  }

  /**
   * Reads sample {@code i}: the hidden states and token ids from its file (mapped, not copied), the
   * loss mask from the dataset row.
   *
   * @throws IOException naming the file when it is unreadable or no longer holds the row's ids
   */
  AlignedSample load(int i) throws IOException {
    Path file = files.get(i);
    HiddenStatesFile f = HiddenStatesFile.read(file);
    long[] ids = f.tokenIds().toLongArray();
    if (ids.length != lengths[i] || fingerprint(ids) != fingerprints[i]) {
      throw new InvalidSampleException(
          file,
          "its token_ids no longer equal input_ids of row "
              + rows[i]
              + " (the file changed after the dataset was opened)");
    }
    if (f.layers() != layers || f.hiddenSize() != hiddenSize) {
      throw new InvalidSampleException(
          file,
          "now holds "
              + f.layers()
              + " layers of hidden size "
              + f.hiddenSize()
              + ", the dataset "
              + layers
              + " of "
              + hiddenSize);
    }
    long[] mask = new long[ids.length];
    long start = maskStart[i];
    for (int k = 0; k < mask.length; k++) {
      mask[k] = masks.get(Math.toIntExact(start + k)) ? 1 : 0;
    }
    return AlignedSample.ofStacked(
        file, f.tokenIds(), f.hiddenStates(), HostTensor.ofLongs(mask, mask.length));
  }

  /** A 64-bit fingerprint of a sequence of ids (SplitMix64's finalizer over a running state). */
  static long fingerprint(long[] ids) {
    long h = 0x9E3779B97F4A7C15L * (ids.length + 1L);
    for (long id : ids) {
      h = mix(h ^ id) + 0x9E3779B97F4A7C15L;
    }
    return mix(h);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static String examples(List<Long> rows) {
    if (rows.isEmpty()) {
      return "";
    }
    List<Long> shown = rows.subList(0, Math.min(5, rows.size()));
    return " (rows " + shown + (rows.size() > shown.size() ? ", ..." : "") + ")";
  }

  /** What a scan collects. */
  private static final class Scan {
    final Path hiddenStatesDir;
    long rowCount;
    final List<Long> rows = new ArrayList<>();
    final List<Path> files = new ArrayList<>();
    final List<Integer> lengths = new ArrayList<>();
    final List<Long> maskStart = new ArrayList<>();
    final BitSet masks = new BitSet();
    long maskBits;
    final List<Long> fingerprints = new ArrayList<>();
    final List<Long> missing = new ArrayList<>();
    final List<Long> otherIds = new ArrayList<>();
    int layers = -1;
    int hiddenSize = -1;
    Path first;

    Scan(Path hiddenStatesDir) {
      this.hiddenStatesDir = hiddenStatesDir;
    }

    void add(long row, HfDatasetDir.Row values) throws IOException {
      rowCount = row + 1;
      long[] ids = values.integers(INPUT_IDS);
      long[] mask = values.integers(LOSS_MASK);
      if (ids.length != mask.length) {
        throw new IOException(
            values.file()
                + ": row "
                + row
                + " has "
                + ids.length
                + " input_ids but "
                + mask.length
                + " loss_mask values");
      }
      for (int k = 0; k < mask.length; k++) {
        if (mask[k] != 0 && mask[k] != 1) {
          throw new IOException(
              values.file()
                  + ": row "
                  + row
                  + ": loss_mask["
                  + k
                  + "] is "
                  + mask[k]
                  + ", not 0/1");
        }
      }
      Path file = hiddenStatesDir.resolve(HiddenStatesFile.fileName(row));
      if (!Files.isRegularFile(file)) {
        missing.add(row);
        return;
      }
      HiddenStatesFile.Header header = HiddenStatesFile.readHeader(file);
      if (!java.util.Arrays.equals(header.tokenIds(), ids)) {
        otherIds.add(row);
        return;
      }
      if (layers < 0) {
        layers = header.layers();
        hiddenSize = header.hiddenSize();
        first = file;
      } else if (header.layers() != layers || header.hiddenSize() != hiddenSize) {
        throw new InvalidSampleException(
            file,
            "holds "
                + header.layers()
                + " layers of hidden size "
                + header.hiddenSize()
                + ", "
                + first.getFileName()
                + " holds "
                + layers
                + " of "
                + hiddenSize
                + " (all hidden states of a dataset must come from one model and one set of"
                + " layer ids)");
      }
      if (maskBits + mask.length > Integer.MAX_VALUE) {
        throw new IOException(
            "the dataset holds more than " + Integer.MAX_VALUE + " tokens; split it into parts");
      }
      rows.add(row);
      files.add(file);
      lengths.add(ids.length);
      maskStart.add(maskBits);
      for (int k = 0; k < mask.length; k++) {
        if (mask[k] == 1) {
          masks.set(Math.toIntExact(maskBits + k));
        }
      }
      maskBits += mask.length;
      fingerprints.add(fingerprint(ids));
    }
  }
}
