package dev.speculators.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.speculators.io.HostTensor;
import dev.speculators.io.hf.HfModelDir;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

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
    List<NDArray> parts = new ArrayList<>();
    if (ids == null) {
      for (long from = 0; from < total; from += rowsPerChunk) {
        long to = Math.min(total, from + rowsPerChunk);
        parts.add(Tensors.toNDArray(manager, dir.tensorRows(name, from, to)));
      }
    } else {
      int i = 0;
      while (i < ids.length) {
        long from = ids[i];
        if (from < 0 || from >= total) {
          throw new IllegalArgumentException(
              name + " has " + total + " rows; asked for row " + from);
        }
        long to = Math.min(total, from + rowsPerChunk);
        int j = i;
        while (j < ids.length && ids[j] < to && ids[j] >= from) {
          j++;
        }
        HostTensor block = dir.tensorRows(name, from, to);
        FloatBuffer out = Tensors.directFloats((long) (j - i) * width);
        for (int k = i; k < j; k++) {
          block.slice0(ids[k] - from, ids[k] - from + 1).copyFloatsTo(out);
        }
        out.flip();
        try (NDArray wrapped = manager.create(out, new Shape(j - i, width))) {
          parts.add(wrapped.duplicate());
        }
        i = j;
      }
    }
    if (parts.size() == 1) {
      return parts.get(0);
    }
    NDArray all = NDArrays.concat(new NDList(parts), 0);
    parts.forEach(NDArray::close);
    return all;
  }
}
