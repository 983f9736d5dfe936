package dev.speculators.train.vocab;

import dev.speculators.io.DType;
import dev.speculators.io.HostTensor;
import dev.speculators.io.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The draft vocabulary: which {@code Vd} of the verifier's {@code V} token ids the draft model can
 * propose (eagle3-spec §3).
 *
 * <p>Draft id {@code i} stands for the {@code i}-th smallest selected verifier id, {@code sel[i]}.
 * Two arrays describe this, as upstream and vLLM expect them: {@code d2t} (int64 {@code [Vd]},
 * offsets: {@code sel[i] = i + d2t[i]}) and {@code t2d} (bool {@code [V]}, true exactly for the
 * selected ids). With {@code Vd == V} every id is selected, {@code d2t} is all zeros and the draft
 * uses the full verifier vocabulary ({@link #isFull()}); exported models then carry no mapping.
 */
public final class VocabMapping {
  /** File name of the offsets inside a mapping directory. */
  public static final String D2T_FILE = "d2t.npy";

  /** File name of the selection mask inside a mapping directory. */
  public static final String T2D_FILE = "t2d.npy";

  private final long[] selected;
  private final int targetVocabSize;

  private VocabMapping(long[] selected, int targetVocabSize) {
    this.selected = selected;
    this.targetVocabSize = targetVocabSize;
  }

  /**
   * Builds the mapping from token counts exactly as upstream {@code
   * build_vocab_mappings_from_distribution}: ids sorted by count descending, then id ascending; the
   * first {@code min(Vd, observed)} are taken; when fewer than {@code Vd} ids were observed, the
   * smallest ids not yet taken ({@code 0, 1, 2, ...}) fill up; the selection is sorted ascending.
   *
   * @param frequencies token id to count (the contents of {@code token_freq.pt})
   * @param draftVocabSize {@code Vd}, 1 to {@code V}
   * @param targetVocabSize {@code V}, the verifier's vocabulary size
   * @throws IllegalArgumentException for sizes out of range, ids outside {@code [0, V)} or negative
   *     counts; the message names the offending id
   */
  public static VocabMapping fromFrequencies(
      Map<Long, Long> frequencies, int draftVocabSize, int targetVocabSize) {
    checkSizes(draftVocabSize, targetVocabSize);
    List<long[]> entries = new ArrayList<>(frequencies.size());
    for (Map.Entry<Long, Long> e : frequencies.entrySet()) {
      long id = requireNonNull(e.getKey(), "token id");
      long count = requireNonNull(e.getValue(), "count of token " + id);
      if (id < 0 || id >= targetVocabSize) {
        throw new IllegalArgumentException(
            "token frequencies contain id "
                + id
                + ", outside the target vocabulary [0, "
                + targetVocabSize
                + ")");
      }
      if (count < 0) {
        throw new IllegalArgumentException(
            "token frequencies give token " + id + " a negative count " + count);
      }
      entries.add(new long[] {id, count});
    }
    entries.sort((a, b) -> a[1] != b[1] ? Long.compare(b[1], a[1]) : Long.compare(a[0], b[0]));

    boolean[] taken = new boolean[targetVocabSize];
    long[] sel = new long[draftVocabSize];
    int n = 0;
    for (long[] e : entries) {
      if (n == draftVocabSize) {
        break;
      }
      taken[(int) e[0]] = true;
      sel[n++] = e[0];
    }
    for (int id = 0; n < draftVocabSize; id++) {
      if (!taken[id]) {
        taken[id] = true;
        sel[n++] = id;
      }
    }
    Arrays.sort(sel);
    return new VocabMapping(sel, targetVocabSize);
  }

  /** The identity mapping: the draft predicts over the whole verifier vocabulary. */
  public static VocabMapping full(int vocabSize) {
    checkSizes(vocabSize, vocabSize);
    long[] sel = new long[vocabSize];
    for (int i = 0; i < vocabSize; i++) {
      sel[i] = i;
    }
    return new VocabMapping(sel, vocabSize);
  }

  /**
   * From the two arrays as stored ({@code d2t} offsets and {@code t2d} mask), checking that they
   * describe the same selection.
   *
   * @throws IllegalArgumentException when they are inconsistent (the message says how)
   */
  public static VocabMapping of(long[] d2t, boolean[] t2d) {
    int vocab = t2d.length;
    int draft = d2t.length;
    if (draft == 0) {
      throw new IllegalArgumentException("d2t is empty");
    }
    int trues = 0;
    for (boolean b : t2d) {
      trues += b ? 1 : 0;
    }
    if (trues != draft) {
      throw new IllegalArgumentException(
          "t2d selects "
              + trues
              + " ids but d2t has "
              + draft
              + " entries (t2d.sum must equal Vd)");
    }
    long[] sel = new long[draft];
    for (int i = 0; i < draft; i++) {
      long id = i + d2t[i];
      if (id < 0 || id >= vocab) {
        throw new IllegalArgumentException(
            "d2t[" + i + "] = " + d2t[i] + " maps to id " + id + ", outside [0, " + vocab + ")");
      }
      if (i > 0 && id <= sel[i - 1]) {
        throw new IllegalArgumentException(
            "d2t["
                + i
                + "] maps to id "
                + id
                + ", not above the previous id "
                + sel[i - 1]
                + " (selected ids must be strictly ascending)");
      }
      if (!t2d[(int) id]) {
        throw new IllegalArgumentException(
            "d2t[" + i + "] maps to id " + id + " but t2d[" + id + "] is false");
      }
      sel[i] = id;
    }
    return new VocabMapping(sel, vocab);
  }

  /**
   * Reads {@code d2t.npy} and {@code t2d.npy} from {@code dir}.
   *
   * @throws IOException when a file is missing or unreadable, or has the wrong dtype or rank, or
   *     the two do not agree; the message names the file
   */
  public static VocabMapping read(Path dir) throws IOException {
    return read(dir.resolve(D2T_FILE), dir.resolve(T2D_FILE));
  }

  /**
   * Reads a mapping saved as upstream saves it ({@code np.save} of {@code d2t}, int64 {@code [Vd]},
   * and {@code t2d}, bool {@code [V]}), from any two files: upstream's {@code --d2t-path} and
   * {@code --t2d-path}.
   *
   * @throws IOException when a file is missing or unreadable, or has the wrong dtype or rank, or
   *     the two do not agree; the message names the files
   */
  public static VocabMapping read(Path d2tFile, Path t2dFile) throws IOException {
    for (Path p : List.of(d2tFile, t2dFile)) {
      if (!Files.isRegularFile(p)) {
        throw new IOException("vocabulary mapping file " + p + " does not exist");
      }
    }
    HostTensor d2t = Npy.read(d2tFile);
    HostTensor t2d = Npy.read(t2dFile);
    if (d2t.rank() != 1 || (d2t.dtype() != DType.I64 && d2t.dtype() != DType.I32)) {
      throw new IOException(
          d2tFile
              + ": expected a 1-d int64 array (d2t), found "
              + d2t.dtype()
              + Arrays.toString(d2t.shape()));
    }
    if (t2d.rank() != 1 || t2d.dtype() != DType.BOOL) {
      throw new IOException(
          t2dFile
              + ": expected a 1-d bool array (t2d), found "
              + t2d.dtype()
              + Arrays.toString(t2d.shape()));
    }
    try {
      return of(d2t.toLongArray(), t2d.toBoolArray());
    } catch (IllegalArgumentException e) {
      throw new IOException(
          "vocabulary mapping " + d2tFile + " / " + t2dFile + " is inconsistent: " + e.getMessage(),
          e);
    }
  }

  /**
   * Checks a given mapping against the run: {@code t2d} must cover the verifier's vocabulary, and
   * {@code d2t} must have the draft vocabulary size when one was asked for (upstream's rule for
   * {@code --d2t-path} with {@code --draft-vocab-size}).
   *
   * @param verifierVocabSize the verifier's {@code vocab_size}
   * @param draftVocabSize the requested draft vocabulary size, or 0 or less when none was given
   * @param source names the mapping's files in errors
   * @throws IllegalArgumentException naming the files and both sizes
   */
  public VocabMapping requireSizes(int verifierVocabSize, int draftVocabSize, String source) {
    if (targetVocabSize != verifierVocabSize) {
      throw new IllegalArgumentException(
          source
              + ": t2d covers "
              + targetVocabSize
              + " token ids but the verifier's vocab_size is "
              + verifierVocabSize
              + " (the mapping was built for another model)");
    }
    if (draftVocabSize > 0 && draftVocabSize != selected.length) {
      throw new IllegalArgumentException(
          source
              + ": d2t maps "
              + selected.length
              + " draft ids but --draft-vocab-size is "
              + draftVocabSize
              + " (leave --draft-vocab-size out to take the mapping's size)");
    }
    return this;
  }

  /** True when both mapping files are present in {@code dir}. */
  public static boolean existsIn(Path dir) {
    return Files.isRegularFile(dir.resolve(D2T_FILE)) && Files.isRegularFile(dir.resolve(T2D_FILE));
  }

  /**
   * Writes {@code d2t.npy} (int64 [Vd]) and {@code t2d.npy} (bool [V]) into {@code dir}, each
   * atomically.
   */
  public void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Npy.write(dir.resolve(D2T_FILE), d2tTensor());
    Npy.write(dir.resolve(T2D_FILE), t2dTensor());
  }

  /** {@code Vd}. */
  public int draftVocabSize() {
    return selected.length;
  }

  /** {@code V}. */
  public int targetVocabSize() {
    return targetVocabSize;
  }

  /** True when the draft vocabulary is the whole verifier vocabulary (no mapping needed). */
  public boolean isFull() {
    return selected.length == targetVocabSize;
  }

  /**
   * The selected verifier ids in ascending order: draft id {@code i} is verifier id {@code [i]}.
   */
  public long[] verifierIds() {
    return selected.clone();
  }

  /** The verifier id of draft id {@code draftId}. */
  public long toVerifierId(int draftId) {
    return selected[draftId];
  }

  /** Offsets, {@code d2t[i] = verifierIds()[i] - i}. */
  public long[] d2t() {
    long[] d2t = new long[selected.length];
    for (int i = 0; i < d2t.length; i++) {
      d2t[i] = selected[i] - i;
    }
    return d2t;
  }

  /** Selection mask over the verifier vocabulary. */
  public boolean[] t2d() {
    boolean[] t2d = new boolean[targetVocabSize];
    for (long id : selected) {
      t2d[(int) id] = true;
    }
    return t2d;
  }

  /** {@link #d2t()} as an int64 {@code [Vd]} tensor. */
  public HostTensor d2tTensor() {
    return HostTensor.ofLongs(d2t(), selected.length);
  }

  /** {@link #t2d()} as a bool {@code [V]} tensor. */
  public HostTensor t2dTensor() {
    return HostTensor.ofBools(t2d(), targetVocabSize);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VocabMapping m
        && m.targetVocabSize == targetVocabSize
        && Arrays.equals(m.selected, selected);
  }

  @Override
  public int hashCode() {
    return 31 * targetVocabSize + Arrays.hashCode(selected);
  }

  @Override
  public String toString() {
    return "VocabMapping[Vd="
        + selected.length
        + ", V="
        + targetVocabSize
        + (isFull() ? ", full" : "")
        + "]";
  }

  private static void checkSizes(int draftVocabSize, int targetVocabSize) {
    if (targetVocabSize <= 0) {
      throw new IllegalArgumentException(
          "target vocabulary size must be positive, got " + targetVocabSize);
    }
    if (draftVocabSize <= 0 || draftVocabSize > targetVocabSize) {
      throw new IllegalArgumentException(
          "draft vocabulary size must be in [1, "
              + targetVocabSize
              + "] (the target vocabulary size), got "
              + draftVocabSize);
    }
  }

  private static long requireNonNull(Long v, String what) {
    if (v == null) {
      throw new IllegalArgumentException("token frequencies contain a null " + what);
    }
    return v;
  }
}
