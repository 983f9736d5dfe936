package dev.speculators.datagen;

import dev.speculators.datagen.chat.TokenRow;
import dev.speculators.io.DType;
import dev.speculators.io.HostTensor;
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
 * Reads and writes {@code data_<i>.pt} in the speculators v0.3/v0.4 sample format: a dict with
 * {@code input_ids} (int64 [S]), {@code hidden_states} (a Python list of L bf16 [S, H] tensors)
 * and {@code loss_mask} (int64 [S]), written atomically.
 */
public final class SampleStore {
  private SampleStore() {}

  /**
   * Writes the sample atomically.
   *
   * @return the file size in bytes
   */
  public static long write(Path path, TokenRow row, List<HostTensor> layers) throws IOException {
    List<Object> hidden = new ArrayList<>(layers.size());
    for (HostTensor t : layers) {
      hidden.add(toBf16(t));
    }
    Map<String, Object> sample = new LinkedHashMap<>();
    sample.put("input_ids", HostTensor.ofLongs(row.inputIds()));
    sample.put("hidden_states", hidden);
    sample.put("loss_mask", HostTensor.ofLongs(row.lossMask()));
    TorchFiles.save(path, sample);
    return Files.size(path);
  }

  static HostTensor toBf16(HostTensor t) {
    return switch (t.dtype()) {
      case BF16 -> t;
      case F32 -> t.toBf16();
      case F16, F64 -> t.toF32().toBf16();
      default -> throw new IllegalArgumentException("hidden states of dtype " + t.dtype() + " are not floating point");
    };
  }

  /**
   * Whether {@code path} holds a complete, readable sample for exactly {@code row} with {@code
   * layers} hidden-state tensors of width {@code hiddenSize}. Anything else — missing, truncated,
   * corrupt, other tokens, other shapes — means the row has to be generated again.
   *
   * @return null when the file is valid, else why not
   */
  public static String invalidReason(Path path, TokenRow row, int layers, int hiddenSize) {
    if (!Files.exists(path)) {
      return "missing";
    }
    Object loaded;
    try {
      loaded = TorchFiles.load(path);
    } catch (IOException | RuntimeException e) {
      return "unreadable: " + e.getMessage();
    }
    if (!(loaded instanceof Map<?, ?> m)) {
      return "not a dict";
    }
    if (!(m.get("input_ids") instanceof HostTensor ids) || !(m.get("loss_mask") instanceof HostTensor mask)
        || !(m.get("hidden_states") instanceof List<?> hs)) {
      return "missing input_ids, loss_mask or hidden_states";
    }
    if (ids.dtype() != DType.I64 || !Arrays.equals(ids.toLongArray(), row.inputIds())) {
      return "input_ids differ from the planned row";
    }
    if (mask.dtype() != DType.I64 || !Arrays.equals(mask.toLongArray(), row.lossMask())) {
      return "loss_mask differs from the planned row";
    }
    if (hs.size() != layers) {
      return hs.size() + " hidden-state tensors, expected " + layers;
    }
    for (Object o : hs) {
      if (!(o instanceof HostTensor t) || t.dtype() != DType.BF16 || t.rank() != 2
          || t.dim(0) != row.length() || t.dim(1) != hiddenSize) {
        return "a hidden-state tensor is not bf16 [" + row.length() + ", " + hiddenSize + "]";
      }
    }
    return null;
  }
}
