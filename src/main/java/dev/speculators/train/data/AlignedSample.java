package dev.speculators.train.data;

import dev.speculators.io.HostTensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One stored sample seen through the per-sample shift of training (eagle3-spec §2.1): a sample of
 * {@code S} tokens becomes {@code n = S - 1} positions where position {@code i} pairs
 *
 * <ul>
 *   <li>input id {@code x[i+1]} and loss mask {@code m[i+1]},
 *   <li>auxiliary states {@code cat(h_0[i], ..., h_{L-2}[i])} ({@code [(L-1)·H]}, computed from
 *       {@code x[0..i]}),
 *   <li>target state {@code h_{L-1}[i+1]}, the verifier's last layer before its final norm,
 *   <li>position id {@code i + 1}.
 * </ul>
 *
 * <p>Nothing is copied: the hidden states stay in their (usually memory-mapped, bf16) tensors, one
 * {@code [S, H]} tensor per layer (v0.3/v0.4 samples) or one {@code [S, L, H]} tensor for all
 * (speculators 0.5 and later), and are widened only when a row is packed.
 */
public final class AlignedSample {
  /**
   * Where one layer's rows lie in a tensor: row {@code i} is the {@code H} contiguous elements from
   * {@code offset + i * stride} (flat, C order).
   */
  record LayerRows(HostTensor tensor, long offset, long stride) {
    long start(long row) {
      return offset + row * stride;
    }
  }

  private final Path file;
  private final long[] inputIds;
  private final long[] lossMask;
  private final List<LayerRows> layers;
  private final int hiddenSize;

  private AlignedSample(
      Path file, long[] inputIds, long[] lossMask, List<LayerRows> layers, int hiddenSize) {
    this.file = file;
    this.inputIds = inputIds;
    this.lossMask = lossMask;
    this.layers = layers;
    this.hiddenSize = hiddenSize;
  }

  /**
   * Checks a stored sample and wraps it.
   *
   * @param file where it came from (named in errors)
   * @param inputIds integer {@code [S]}
   * @param hiddenStates {@code L >= 2} floating-point tensors {@code [S, H]}: the auxiliary layers
   *     in order, then the verifier's last layer
   * @param lossMask integer or bool {@code [S]}, 0/1
   * @throws InvalidSampleException naming the file and what is wrong
   */
  public static AlignedSample of(
      Path file, HostTensor inputIds, List<HostTensor> hiddenStates, HostTensor lossMask)
      throws InvalidSampleException {
    long s = checkIds(file, inputIds, lossMask);
    if (hiddenStates.size() < 2) {
      throw new InvalidSampleException(
          file,
          "hidden_states holds "
              + hiddenStates.size()
              + " tensor(s); training needs at least one auxiliary layer plus the last layer");
    }
    long h = -1;
    for (int l = 0; l < hiddenStates.size(); l++) {
      HostTensor t = hiddenStates.get(l);
      if (t.rank() != 2
          || !t.dtype().isFloatingPoint()
          || t.dim(0) != s
          || (h >= 0 && t.dim(1) != h)) {
        throw new InvalidSampleException(
            file,
            "hidden_states["
                + l
                + "] must be a floating-point ["
                + s
                + ", "
                + (h >= 0 ? h : "H")
                + "] tensor, found "
                + describe(t));
      }
      h = t.dim(1);
    }
    if (h == 0) {
      throw new InvalidSampleException(file, "hidden_states have hidden size 0");
    }
    List<LayerRows> layers = new ArrayList<>();
    for (HostTensor t : hiddenStates) {
      layers.add(new LayerRows(t, 0, h));
    }
    return new AlignedSample(
        file, inputIds.toLongArray(), mask(file, lossMask), List.copyOf(layers), (int) h);
  }

  /**
   * Checks a stored sample whose layers are stacked in one tensor (speculators 0.5 and later).
   *
   * @param stacked floating point {@code [S, L, H]}, {@code L >= 2}: the auxiliary layers in order,
   *     then the verifier's last layer
   * @throws InvalidSampleException naming the file and what is wrong
   */
  public static AlignedSample ofStacked(
      Path file, HostTensor inputIds, HostTensor stacked, HostTensor lossMask)
      throws InvalidSampleException {
    long s = checkIds(file, inputIds, lossMask);
    if (stacked.rank() != 3
        || !stacked.dtype().isFloatingPoint()
        || stacked.dim(0) != s
        || stacked.dim(1) < 2
        || stacked.dim(2) < 1) {
      throw new InvalidSampleException(
          file,
          "hidden_states must be a floating-point ["
              + s
              + ", L >= 2, H] tensor, found "
              + describe(stacked));
    }
    long l = stacked.dim(1);
    long h = stacked.dim(2);
    List<LayerRows> layers = new ArrayList<>();
    for (int k = 0; k < l; k++) {
      layers.add(new LayerRows(stacked, k * h, l * h));
    }
    return new AlignedSample(
        file, inputIds.toLongArray(), mask(file, lossMask), List.copyOf(layers), (int) h);
  }

  /** Checks ids and mask; returns {@code S}. */
  private static long checkIds(Path file, HostTensor inputIds, HostTensor lossMask)
      throws InvalidSampleException {
    if (inputIds.rank() != 1 || inputIds.dtype().isFloatingPoint()) {
      throw new InvalidSampleException(
          file, "input_ids must be a 1-d integer tensor, found " + describe(inputIds));
    }
    long s = inputIds.dim(0);
    if (lossMask.rank() != 1 || lossMask.dtype().isFloatingPoint() || lossMask.dim(0) != s) {
      throw new InvalidSampleException(
          file,
          "loss_mask must be a 1-d integer tensor of length "
              + s
              + ", found "
              + describe(lossMask));
    }
    return s;
  }

  private static long[] mask(Path file, HostTensor lossMask) throws InvalidSampleException {
    long[] mask = lossMask.toLongArray();
    for (int i = 0; i < mask.length; i++) {
      if (mask[i] != 0 && mask[i] != 1) {
        throw new InvalidSampleException(
            file, "loss_mask[" + i + "] = " + mask[i] + ", expected 0 or 1");
      }
    }
    return mask;
  }

  /** The sample file. */
  public Path file() {
    return file;
  }

  /** {@code S - 1}: positions after the shift ({@code 0} for a one-token sample). */
  public int length() {
    return Math.max(0, inputIds.length - 1);
  }

  /** {@code S}, as stored. */
  public int storedLength() {
    return inputIds.length;
  }

  public int hiddenSize() {
    return hiddenSize;
  }

  /** {@code L - 1}, the number of auxiliary layers concatenated into the fc input. */
  public int auxLayerCount() {
    return layers.size() - 1;
  }

  /** Input id at shifted position {@code i}: {@code x[i + 1]}. */
  public long inputId(int i) {
    return inputIds[i + 1];
  }

  /** Loss mask at shifted position {@code i}: {@code m[i + 1]}. */
  public long lossMask(int i) {
    return lossMask[i + 1];
  }

  /**
   * Auxiliary layer {@code l} ({@code S} rows); its row {@code i} is used at position {@code i}.
   */
  LayerRows auxLayer(int l) {
    return layers.get(l);
  }

  /**
   * The verifier's last layer ({@code S} rows); its row {@code i + 1} is used at position {@code
   * i}.
   */
  LayerRows lastLayer() {
    return layers.get(layers.size() - 1);
  }

  private static String describe(HostTensor t) {
    return t.dtype() + Arrays.toString(t.shape());
  }
}
