package dev.speculators.io.dataset;

import dev.speculators.io.DType;
import dev.speculators.io.HostTensor;
import dev.speculators.io.TensorFileException;
import dev.speculators.io.TorchFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One training sample in the speculators data format v1 ({@code data_<i>.pt}): a torch.save dict
 * {@code {input_ids: int64 [S], hidden_states: list of L tensors [S, H], loss_mask: int64 [S]}}.
 * The hidden states are the verifier's residual stream after the captured layers, the last one
 * being the final layer before the model's norm.
 *
 * @param inputIds I64 {@code [S]}
 * @param hiddenStates L floating-point tensors {@code [S, H]} of one dtype (bf16 when we write
 *     them)
 * @param lossMask I64 {@code [S]} of 0/1: 1 where the token is trained on
 */
public record SampleFile(HostTensor inputIds, List<HostTensor> hiddenStates, HostTensor lossMask) {
  public static final String INPUT_IDS = "input_ids";
  public static final String HIDDEN_STATES = "hidden_states";
  public static final String LOSS_MASK = "loss_mask";

  /**
   * Validates the sample.
   *
   * @throws IllegalArgumentException naming the field that is wrong
   */
  public SampleFile {
    require(inputIds != null, "input_ids is missing");
    require(lossMask != null, "loss_mask is missing");
    require(hiddenStates != null && !hiddenStates.isEmpty(), "hidden_states is empty");
    hiddenStates = List.copyOf(hiddenStates);
    require(inputIds.dtype() == DType.I64, "input_ids must be int64, not " + inputIds.dtype());
    require(
        inputIds.rank() == 1,
        "input_ids must be one-dimensional [S], not " + Arrays.toString(inputIds.shape()));
    long s = inputIds.dim(0);
    require(lossMask.dtype() == DType.I64, "loss_mask must be int64, not " + lossMask.dtype());
    require(
        lossMask.rank() == 1 && lossMask.dim(0) == s,
        "loss_mask has shape " + Arrays.toString(lossMask.shape()) + ", input_ids has [" + s + "]");
    long[] mask = lossMask.toLongArray();
    for (int i = 0; i < mask.length; i++) {
      require(mask[i] == 0 || mask[i] == 1, "loss_mask[" + i + "] is " + mask[i] + ", not 0 or 1");
    }
    HostTensor first = hiddenStates.get(0);
    for (int l = 0; l < hiddenStates.size(); l++) {
      HostTensor h = hiddenStates.get(l);
      String name = "hidden_states[" + l + "]";
      require(h.dtype().isFloatingPoint(), name + " must be floating point, not " + h.dtype());
      require(
          h.dtype() == first.dtype(),
          name + " is " + h.dtype() + ", hidden_states[0] is " + first.dtype());
      require(
          h.rank() == 2 && h.dim(0) == s && h.dim(1) == first.dim(-1),
          name
              + " has shape "
              + Arrays.toString(h.shape())
              + ", expected ["
              + s
              + ", "
              + (first.rank() == 2 ? first.dim(1) : "H")
              + "]");
    }
  }

  /** Sequence length S. */
  public int length() {
    return (int) inputIds.dim(0);
  }

  /** Hidden size H. */
  public int hiddenSize() {
    return (int) hiddenStates.get(0).dim(1);
  }

  /** Number of captured layers L. */
  public int numLayers() {
    return hiddenStates.size();
  }

  /** The same sample with its hidden states rounded to bf16 (torch {@code .to(torch.bfloat16)}). */
  public SampleFile withBf16HiddenStates() {
    List<HostTensor> bf16 = new ArrayList<>();
    for (HostTensor h : hiddenStates) {
      bf16.add(h.toBf16());
    }
    return new SampleFile(inputIds, bf16, lossMask);
  }

  /**
   * Reads a sample written by us or by upstream speculators. Integer ids and masks of other widths
   * are widened to int64; a tuple of hidden states is accepted like a list.
   *
   * @throws TensorFileException naming the file and what is wrong with it
   */
  public static SampleFile read(Path path) throws IOException {
    Object loaded = TorchFiles.load(path);
    if (!(loaded instanceof Map)) {
      throw new TensorFileException(
          path,
          "a sample file holds a dict with input_ids, hidden_states and loss_mask, this one holds "
              + describe(loaded));
    }
    Map<?, ?> map = (Map<?, ?>) loaded;
    if (map.containsKey("hidden_state") || map.containsKey("target")) {
      throw new TensorFileException(
          path,
          "legacy data format v0 (keys hidden_state/target) is not supported; regenerate the data");
    }
    HostTensor ids = integerTensor(path, map, INPUT_IDS);
    HostTensor mask = integerTensor(path, map, LOSS_MASK);
    Object hs = map.get(HIDDEN_STATES);
    if (hs == null) {
      throw new TensorFileException(path, "missing '" + HIDDEN_STATES + "'");
    }
    if (hs instanceof HostTensor) {
      throw new TensorFileException(
          path,
          "'hidden_states' is one stacked tensor "
              + hs.toString().replace("HostTensor", "")
              + "; the speculators v1 sample format stores a list of per-layer [S, H] tensors");
    }
    if (!(hs instanceof List)) {
      throw new TensorFileException(
          path, "'hidden_states' is " + describe(hs) + ", not a list of tensors");
    }
    List<HostTensor> layers = new ArrayList<>();
    List<?> list = (List<?>) hs;
    for (int i = 0; i < list.size(); i++) {
      if (!(list.get(i) instanceof HostTensor)) {
        throw new TensorFileException(
            path, "hidden_states[" + i + "] is " + describe(list.get(i)) + ", not a tensor");
      }
      layers.add((HostTensor) list.get(i));
    }
    try {
      return new SampleFile(ids, layers, mask);
    } catch (IllegalArgumentException e) {
      throw new TensorFileException(path, e.getMessage(), e);
    }
  }

  /**
   * Writes the sample atomically in the upstream layout: dict keys in the order input_ids,
   * hidden_states (a Python list), loss_mask; every tensor with its own storage.
   */
  public void write(Path path) throws IOException {
    Map<String, Object> dict = new LinkedHashMap<>();
    dict.put(INPUT_IDS, inputIds);
    dict.put(HIDDEN_STATES, new ArrayList<>(hiddenStates));
    dict.put(LOSS_MASK, lossMask);
    TorchFiles.save(path, dict);
  }

  /** Whether {@code path} holds a readable, consistent sample (used to resume generation). */
  public static boolean isComplete(Path path) {
    if (!Files.isRegularFile(path)) {
      return false;
    }
    try {
      read(path);
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static HostTensor integerTensor(Path path, Map<?, ?> map, String key)
      throws TensorFileException {
    Object v = map.get(key);
    if (v == null) {
      throw new TensorFileException(path, "missing '" + key + "'");
    }
    if (!(v instanceof HostTensor)) {
      throw new TensorFileException(path, "'" + key + "' is " + describe(v) + ", not a tensor");
    }
    HostTensor t = (HostTensor) v;
    if (t.dtype().isFloatingPoint()) {
      throw new TensorFileException(
          path, "'" + key + "' must be an integer tensor, not " + t.dtype());
    }
    return t.toI64();
  }

  private static String describe(Object o) {
    if (o == null) {
      return "None";
    }
    if (o instanceof HostTensor) {
      return "a tensor " + o.toString().replace("HostTensor", "");
    }
    if (o instanceof List) {
      return "a list";
    }
    if (o instanceof Map) {
      return "a dict";
    }
    return "a " + o.getClass().getSimpleName();
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
