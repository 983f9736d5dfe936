package dev.speculators.io.dataset;

import dev.speculators.io.DType;
import dev.speculators.io.HostTensor;
import dev.speculators.io.SafeTensors;
import dev.speculators.io.SafeTensorsFile;
import dev.speculators.io.TensorFileException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * One sample's hidden states as speculators 0.5 and later store them: {@code
 * hidden_states/hs_<row>.safetensors} beside the preprocessed dataset, the file vLLM's
 * hidden-states connector ({@code ExampleHiddenStatesConnector}, {@code extract_hidden_states})
 * writes for one request and {@code data_generation_offline.py} moves there. Two tensors, no
 * metadata:
 *
 * <ul>
 *   <li>{@code hidden_states} {@code [S, L, H]} in the model's dtype (bf16 for bf16 models): the
 *       residual stream entering each captured layer, in the order of the configured layer ids, the
 *       last one taken after the final decoder layer, before the model's norm;
 *   <li>{@code token_ids} int64 {@code [S]}: the prompt's token ids, row {@code row} of the
 *       preprocessed dataset's {@code input_ids}.
 * </ul>
 *
 * @param hiddenStates floating point {@code [S, L, H]}, usually memory-mapped
 * @param tokenIds integer {@code [S]}
 */
public record HiddenStatesFile(HostTensor hiddenStates, HostTensor tokenIds) {
  public static final String DIR = "hidden_states";
  public static final String HIDDEN_STATES = "hidden_states";
  public static final String TOKEN_IDS = "token_ids";

  /** What {@link #readHeader} finds: the sizes and the (small) token ids, not the states. */
  public record Header(int layers, int hiddenSize, DType dtype, long[] tokenIds) {
    public int length() {
      return tokenIds.length;
    }
  }

  /** {@code hs_<row>.safetensors}. */
  public static String fileName(long row) {
    if (row < 0) {
      throw new IllegalArgumentException("negative row " + row);
    }
    return "hs_" + row + ".safetensors";
  }

  /**
   * Reads and checks a file; the hidden states are memory-mapped, not copied.
   *
   * @throws IOException naming the file when it is unreadable or not laid out as above
   */
  public static HiddenStatesFile read(Path file) throws IOException {
    try (SafeTensorsFile f = SafeTensors.open(file)) {
      check(file, f);
      return new HiddenStatesFile(f.get(HIDDEN_STATES), f.get(TOKEN_IDS));
    }
  }

  /**
   * The sizes and token ids of a file without touching its hidden states.
   *
   * @throws IOException naming the file when it is unreadable or not laid out as above
   */
  public static Header readHeader(Path file) throws IOException {
    try (SafeTensorsFile f = SafeTensors.open(file)) {
      long[] shape = check(file, f);
      return new Header(
          (int) shape[1],
          (int) shape[2],
          f.info(HIDDEN_STATES).dtype(),
          f.get(TOKEN_IDS).toLongArray());
    }
  }

  /** Writes a file as the connector does (two tensors, no metadata), atomically. */
  public static void write(Path file, HostTensor hiddenStates, HostTensor tokenIds)
      throws IOException {
    SafeTensors.write(file, Map.of(HIDDEN_STATES, hiddenStates, TOKEN_IDS, tokenIds), Map.of());
  }

  /** {@code S}. */
  public int length() {
    return (int) tokenIds.dim(0);
  }

  /** {@code L}: captured layers, the last one the verifier's final layer. */
  public int layers() {
    return (int) hiddenStates.dim(1);
  }

  /** {@code H}. */
  public int hiddenSize() {
    return (int) hiddenStates.dim(2);
  }

  /** Validates names, dtypes and shapes; returns the shape of {@code hidden_states}. */
  private static long[] check(Path file, SafeTensorsFile f) throws TensorFileException {
    for (String name : new String[] {HIDDEN_STATES, TOKEN_IDS}) {
      if (!f.has(name)) {
        throw new TensorFileException(
            file,
            "has no tensor '"
                + name
                + "' (found "
                + f.names()
                + "); expected the hidden_states/token_ids pair vLLM's hidden-states connector"
                + " writes");
      }
    }
    SafeTensorsFile.TensorInfo hs = f.info(HIDDEN_STATES);
    SafeTensorsFile.TensorInfo ids = f.info(TOKEN_IDS);
    long[] shape = hs.shape();
    if (!hs.dtype().isFloatingPoint() || shape.length != 3 || shape[1] < 2 || shape[2] < 1) {
      throw new TensorFileException(
          file,
          "hidden_states must be a floating-point [S, L, H] tensor with L >= 2 (auxiliary layers"
              + " plus the final layer), found "
              + hs.dtype()
              + Arrays.toString(shape));
    }
    if (ids.dtype().isFloatingPoint()
        || ids.dtype() == DType.BOOL
        || ids.shape().length != 1
        || ids.shape()[0] != shape[0]) {
      throw new TensorFileException(
          file,
          "token_ids must be an integer ["
              + shape[0]
              + "] tensor (one id per hidden-state row), found "
              + ids.dtype()
              + Arrays.toString(ids.shape()));
    }
    if (shape[2] > Integer.MAX_VALUE || shape[1] > Integer.MAX_VALUE) {
      throw new TensorFileException(file, "hidden_states is too large: " + Arrays.toString(shape));
    }
    return shape;
  }
}
