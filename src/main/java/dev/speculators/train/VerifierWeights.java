package dev.speculators.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.speculators.io.HostTensor;
import dev.speculators.io.hf.HfModelDir;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The verifier tensors the draft needs: token embedding (frozen draft input), the {@code lm_head}
 * rows of the draft vocabulary (draft head init and targets) and the final norm (targets). Large
 * matrices are read in row chunks, so a 128k×8192 bf16 head never needs one host buffer.
 */
public final class VerifierWeights {
  private static final long CHUNK_BYTES = 256L << 20;

  private final HfModelDir dir;

  public VerifierWeights(HfModelDir dir) {
    this.dir = dir;
  }

  public HfModelDir dir() {
    return dir;
  }

  /** {@code model.embed_tokens.weight} [V, H] as float32. */
  public NDArray embedTokens(NDManager manager) throws IOException {
    return rows(manager, dir.embedTokensWeightName(), null);
  }

  /** {@code lm_head.weight} rows {@code ids} (all rows when null) [n, H] as float32. */
  public NDArray lmHeadRows(NDManager manager, long[] ids) throws IOException {
    return rows(manager, dir.lmHeadWeightName(), ids);
  }

  /** The verifier's final RMSNorm weight [H]. */
  public NDArray finalNorm(NDManager manager) throws IOException {
    String embed = dir.embedTokensWeightName();
    String norm = embed.replace("embed_tokens.weight", "norm.weight");
    if (!dir.has(norm)) {
      throw new IOException(
          dir.dir() + ": no final norm weight '" + norm + "' next to '" + embed + "'");
    }
    return Tensors.toNDArray(manager, dir.tensor(norm));
  }

  private NDArray rows(NDManager manager, String name, long[] ids) throws IOException {
    long[] shape = dir.tensorInfo(name).shape();
    long total = shape[0];
    long width = shape[1];
    long rowsPerChunk = Math.max(1, CHUNK_BYTES / (width * 4));
    long count = ids == null ? total : ids.length;
    for (int i = 0; ids != null && i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= total || (i > 0 && ids[i] <= ids[i - 1])) {
        throw new IllegalArgumentException(
            name + " has " + total + " rows; asked for row " + ids[i] + " (ids must ascend)");
      }
    }
    // rows are widened chunk by chunk straight into the new array's memory
    return Tensors.filled(
        manager,
        new Shape(count, width),
        out -> {
          try {
            long i = 0;
            while (i < count) {
              long from = ids == null ? i : ids[(int) i];
              long to = Math.min(total, from + rowsPerChunk);
              HostTensor block = dir.tensorRows(name, from, to);
              if (ids == null) {
                block.copyFloatsTo(out);
                i += to - from;
                continue;
              }
              while (i < count && ids[(int) i] < to) {
                block.slice0(ids[(int) i] - from, ids[(int) i] - from + 1).copyFloatsTo(out);
                i++;
              }
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }
}
