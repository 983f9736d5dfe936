package dev.speculators.train.data;

import dev.speculators.io.HalfFloats;
import dev.speculators.io.HostTensor;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * Packs the samples chosen for one row into a {@link PackedRow} (upstream {@code
 * create_collate_fn(max_len=T)}, eagle3-spec §2.2): the shifted samples are concatenated, cut or
 * zero-padded to exactly {@code T} positions; position ids restart at 1 in every document and are 0
 * on padding; the document lengths are rebuilt the way upstream does: lengths are kept while the
 * running total stays below {@code T}, the first document that reaches or passes {@code T} is cut
 * to {@code T - total}, later ones are dropped.
 *
 * <p>Hidden states are widened from their stored dtype (bf16, f16, f32, f64) straight from the
 * (memory-mapped) sample tensors into the row's direct buffers, a row or a chunk at a time through
 * small reused scratch arrays; no sample is ever copied whole onto the heap. One packer is used by
 * one thread.
 */
public final class RowPacker {
  private static final int CHUNK = 16384;
  private static final float[] ZEROS = new float[CHUNK];

  private final UniformNoise noise;
  private float[] floats = new float[CHUNK];
  private short[] shorts = new short[CHUNK];

  /**
   * A packer adding {@code noise} to the auxiliary states ({@link UniformNoise#none()} for none).
   */
  public RowPacker(UniformNoise noise) {
    this.noise = noise;
  }

  /**
   * Fills {@code row} with {@code docs}.
   *
   * @param docs the samples in packing order
   * @param sampleIds their dataset indices (recorded in the row, and seeding the noise)
   * @param epoch seeds the noise
   * @throws InvalidSampleException when a sample's hidden size or number of auxiliary layers does
   *     not match the row; names the file
   */
  public void pack(List<AlignedSample> docs, int[] sampleIds, int epoch, PackedRow row)
      throws InvalidSampleException {
    if (docs.size() != sampleIds.length) {
      throw new IllegalArgumentException(docs.size() + " samples but " + sampleIds.length + " ids");
    }
    int t = row.rowLength();
    int h = row.hiddenSize();
    int a = row.auxLayers();
    long[] lengths = new long[docs.size()];
    int[] used = new int[docs.size()];
    int docCount = 0;
    int offset = 0;
    for (int d = 0; d < docs.size() && offset < t; d++) {
      AlignedSample doc = docs.get(d);
      if (doc.hiddenSize() != h || doc.auxLayerCount() != a) {
        throw new InvalidSampleException(
            doc.file(),
            "has "
                + doc.auxLayerCount()
                + " auxiliary layers of hidden size "
                + doc.hiddenSize()
                + ", the row expects "
                + a
                + " of "
                + h
                + " (all samples of a dataset must agree)");
      }
      int take = Math.min(doc.length(), t - offset);
      for (int i = 0; i < take; i++) {
        row.inputIds()[offset + i] = doc.inputId(i);
        row.lossMask()[offset + i] = doc.lossMask(i);
        row.positionIds()[offset + i] = i + 1;
      }
      SplitMix64 rng = noise.generator(epoch, sampleIds[d]);
      writeAux(doc, take, offset, row.auxBuffer(), h, a, rng);
      widenRows(doc.lastLayer(), h, 1, take, row.lastBuffer(), (long) offset * h);
      lengths[docCount] = take;
      used[docCount] = sampleIds[d];
      docCount++;
      offset += take;
    }
    Arrays.fill(row.inputIds(), offset, t, 0);
    Arrays.fill(row.lossMask(), offset, t, 0);
    Arrays.fill(row.positionIds(), offset, t, 0);
    zero(row.auxBuffer(), (long) offset * h * a, (long) t * h * a);
    zero(row.lastBuffer(), (long) offset * h, (long) t * h);
    row.setLayout(Arrays.copyOf(lengths, docCount), Arrays.copyOf(used, docCount), offset);
  }

  /** Row {@code i} of every auxiliary layer side by side, at packed position {@code offset + i}. */
  private void writeAux(
      AlignedSample doc, int take, int offset, FloatBuffer dst, int h, int a, SplitMix64 rng) {
    ensureScratch(h);
    FloatSource[] layers = new FloatSource[a];
    AlignedSample.LayerRows[] rows = new AlignedSample.LayerRows[a];
    for (int l = 0; l < a; l++) {
      rows[l] = doc.auxLayer(l);
      layers[l] = new FloatSource(rows[l].tensor());
    }
    long width = (long) h * a;
    for (int i = 0; i < take; i++) {
      for (int l = 0; l < a; l++) {
        layers[l].read(rows[l].start(i), h, floats, shorts);
        if (rng != null) {
          noise.apply(rng, floats, h);
        }
        dst.put(toInt((offset + i) * width + (long) l * h), floats, 0, h);
      }
    }
  }

  /** Rows {@code [from, from + count)} of {@code src} to {@code dst} at {@code at}, contiguous. */
  private void widenRows(
      AlignedSample.LayerRows src, int h, int from, int count, FloatBuffer dst, long at) {
    FloatSource source = new FloatSource(src.tensor());
    if (src.stride() == h) {
      // one layer per tensor: the rows are contiguous, widen them in large chunks
      long begin = src.start(from);
      long total = (long) count * h;
      for (long done = 0; done < total; ) {
        int n = (int) Math.min(floats.length, total - done);
        source.read(begin + done, n, floats, shorts);
        dst.put(toInt(at + done), floats, 0, n);
        done += n;
      }
      return;
    }
    ensureScratch(h);
    for (int i = 0; i < count; i++) {
      source.read(src.start(from + i), h, floats, shorts);
      dst.put(toInt(at + (long) i * h), floats, 0, h);
    }
  }

  private static void zero(FloatBuffer dst, long from, long to) {
    for (long p = from; p < to; ) {
      int n = (int) Math.min(ZEROS.length, to - p);
      dst.put(toInt(p), ZEROS, 0, n);
      p += n;
    }
  }

  private void ensureScratch(int n) {
    if (floats.length < n) {
      floats = new float[n];
      shorts = new short[n];
    }
  }

  private static int toInt(long v) {
    if (v > Integer.MAX_VALUE) {
      throw new IllegalStateException("buffer offset " + v + " beyond 2 GiB");
    }
    return (int) v;
  }

  /** Typed read access to a floating-point tensor's elements, widened to float32. */
  private static final class FloatSource {
    private final HostTensor tensor;
    private final ShortBuffer halves;
    private final FloatBuffer singles;
    private final DoubleBuffer doubles;

    FloatSource(HostTensor tensor) {
      this.tensor = tensor;
      ByteBuffer bytes = tensor.data();
      switch (tensor.dtype()) {
        case BF16, F16 -> {
          halves = bytes.asShortBuffer();
          singles = null;
          doubles = null;
        }
        case F32 -> {
          halves = null;
          singles = bytes.asFloatBuffer();
          doubles = null;
        }
        case F64 -> {
          halves = null;
          singles = null;
          doubles = bytes.asDoubleBuffer();
        }
        default ->
            throw new IllegalArgumentException(tensor.dtype() + " is not a floating-point dtype");
      }
    }

    /** Elements {@code [start, start + n)} (flat, C order) into {@code out[0, n)}. */
    void read(long start, int n, float[] out, short[] scratch) {
      int s = toInt(start);
      switch (tensor.dtype()) {
        case BF16 -> {
          halves.get(s, scratch, 0, n);
          for (int k = 0; k < n; k++) {
            out[k] = Float.intBitsToFloat(scratch[k] << 16);
          }
        }
        case F16 -> {
          halves.get(s, scratch, 0, n);
          for (int k = 0; k < n; k++) {
            out[k] = HalfFloats.f16ToFloat(scratch[k]);
          }
        }
        case F32 -> singles.get(s, out, 0, n);
        default -> {
          for (int k = 0; k < n; k++) {
            out[k] = (float) doubles.get(s + k);
          }
        }
      }
    }
  }
}
