package dev.speculators.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/**
 * Llama rotary position embedding ("rotate half" form): {@code x·cos + rotate_half(x)·sin} with
 * {@code cos, sin = cos/sin(cat(f, f))}, {@code f[t, j] = position[t] · inv_freq[j]}.
 */
public final class RotaryEmbedding {
  private RotaryEmbedding() {}

  /** inv_freq [hd/2] = 1 / theta^(2j/hd), then the config's scaling rule, in float32 like torch. */
  public static NDArray inverseFrequencies(NDManager manager, int headDim, RopeConfig rope) {
    NDArray exponents =
        manager.arange(0, headDim, 2, DataType.INT64).toType(DataType.FLOAT32, false).div(headDim);
    NDArray invFreq = manager.create((float) rope.theta()).pow(exponents).pow(-1);
    switch (rope.type()) {
      case "default":
        return invFreq;
      case "linear":
        return invFreq.div((float) rope.factor());
      case "llama3":
        return llama3(invFreq, rope);
      default:
        throw new IllegalArgumentException("unsupported rope type " + rope.type());
    }
  }

  // Llama 3.1 frequency remapping: long wavelengths are divided by factor, short ones kept, the
  // band in between interpolated smoothly.
  private static NDArray llama3(NDArray invFreq, RopeConfig rope) {
    float[] f = invFreq.toFloatArray();
    double old = rope.originalMaxPositionEmbeddings();
    double lowWavelen = old / rope.lowFreqFactor();
    double highWavelen = old / rope.highFreqFactor();
    float[] out = new float[f.length];
    for (int i = 0; i < f.length; i++) {
      double wavelen = 2 * Math.PI / f[i];
      double scaled = wavelen > lowWavelen ? f[i] / rope.factor() : f[i];
      if (!(wavelen < highWavelen) && !(wavelen > lowWavelen)) {
        double smooth =
            (old / wavelen - rope.lowFreqFactor()) / (rope.highFreqFactor() - rope.lowFreqFactor());
        scaled = (1 - smooth) * scaled / rope.factor() + smooth * scaled;
      }
      out[i] = (float) scaled;
    }
    return invFreq.getManager().create(out);
  }

  /**
   * cos and sin tables for the given positions.
   *
   * @param positions [T] int64 position ids
   * @param invFreq [hd/2]
   * @return {cos, sin}, each [T, hd]
   */
  public static NDList cosSin(NDArray positions, NDArray invFreq) {
    NDArray freqs =
        positions.toType(DataType.FLOAT32, false).reshape(-1, 1).mul(invFreq.reshape(1, -1));
    NDArray emb = freqs.concat(freqs, -1); // [T, hd]
    return new NDList(emb.cos(), emb.sin());
  }

  /**
   * Applies the rotation to {@code x} [heads, T, hd] with cos/sin [T, hd].
   *
   * @return [heads, T, hd]
   */
  public static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
    long half = x.getShape().get(2) / 2;
    return Intermediates.freeAfter(
        () -> {
          NDArray x1 = x.get(new NDIndex(":, :, :{}", half));
          NDArray x2 = x.get(new NDIndex(":, :, {}:", half));
          NDArray rotated = NDArrays.concat(new NDList(x2.neg(), x1), -1);
          return x.mul(cos).add(rotated.mul(sin));
        });
  }
}
