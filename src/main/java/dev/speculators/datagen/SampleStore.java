package dev.speculators.datagen;

import dev.speculators.datagen.chat.TokenRow;
import dev.speculators.io.DType;
import dev.speculators.io.HostTensor;
import dev.speculators.io.dataset.SampleFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes a generated row as {@code data_<i>.pt} ({@link SampleFile}: the speculators v0.3/v0.4
 * sample format, hidden states in bf16, written atomically) and decides whether an existing file
 * can be kept when a shard resumes.
 */
public final class SampleStore {
  private SampleStore() {}

  /**
   * Writes the sample atomically.
   *
   * @return the file size in bytes
   */
  public static long write(Path path, TokenRow row, List<HostTensor> layers) throws IOException {
    List<HostTensor> hidden = new ArrayList<>(layers.size());
    for (HostTensor t : layers) {
      hidden.add(toBf16(t));
    }
    new SampleFile(HostTensor.ofLongs(row.inputIds()), hidden, HostTensor.ofLongs(row.lossMask()))
        .write(path);
    return Files.size(path);
  }

  static HostTensor toBf16(HostTensor t) {
    return switch (t.dtype()) {
      case BF16 -> t;
      case F32 -> t.toBf16();
      case F16, F64 -> t.toF32().toBf16();
      default ->
          throw new IllegalArgumentException(
              "hidden states of dtype " + t.dtype() + " are not floating point");
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
    SampleFile sample;
    try {
      sample = SampleFile.read(path);
    } catch (IOException | RuntimeException e) {
      return "unreadable: " + e.getMessage();
    }
    if (!Arrays.equals(sample.inputIds().toLongArray(), row.inputIds())) {
      return "input_ids differ from the planned row";
    }
    if (!Arrays.equals(sample.lossMask().toLongArray(), row.lossMask())) {
      return "loss_mask differs from the planned row";
    }
    if (sample.numLayers() != layers) {
      return sample.numLayers() + " hidden-state tensors, expected " + layers;
    }
    if (sample.hiddenStates().get(0).dtype() != DType.BF16 || sample.hiddenSize() != hiddenSize) {
      return "hidden states are not bf16 [" + row.length() + ", " + hiddenSize + "]";
    }
    return null;
  }
}
