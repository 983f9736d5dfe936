package dev.speculators.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import java.util.ArrayList;
import java.util.List;

/**
 * Keys and values of one decoder layer. In training-time test, step s holds [nkv, T, hd] tensors
 * rotated with step s's positions and the cache lives for one forward call, like upstream's single
 * DynamicCache shared by all steps. In inference ({@link Eagle3DraftModel#decode}) the entries are
 * consecutive chunks [nkv, t_i, hd] of one sequence, and {@link #truncate} drops the positions of
 * rejected draft tokens.
 */
public final class KvCache {
  private final List<NDArray> keys = new ArrayList<>();
  private final List<NDArray> values = new ArrayList<>();

  /** Adds a step (or chunk); the cache outlives the computation that made the entries. */
  public void append(NDArray key, NDArray value) {
    Intermediates.keep(key, value);
    keys.add(key);
    values.add(value);
  }

  public int steps() {
    return keys.size();
  }

  public NDArray key(int step) {
    return keys.get(step);
  }

  public NDArray value(int step) {
    return values.get(step);
  }

  public List<NDArray> keys() {
    return keys;
  }

  public List<NDArray> values() {
    return values;
  }

  /** Positions held when the entries are chunks of one sequence (the sum of their lengths). */
  public long length() {
    long n = 0;
    for (NDArray k : keys) {
      n += k.getShape().get(1);
    }
    return n;
  }

  /**
   * Joins the chunks of a sequence into one (inference only: a decode step adds one chunk, and
   * joining them once per step keeps later steps from re-concatenating every chunk). The joined
   * chunks are closed.
   */
  public void compact() {
    if (keys.size() <= 1) {
      return;
    }
    NDArray k = NDArrays.concat(new NDList(keys), 1);
    NDArray v = NDArrays.concat(new NDList(values), 1);
    Intermediates.keep(k, v);
    keys.forEach(NDArray::close);
    values.forEach(NDArray::close);
    keys.clear();
    values.clear();
    keys.add(k);
    values.add(v);
  }

  /** Keeps the first {@code length} positions of the sequence, dropping the rest. */
  public void truncate(long length) {
    if (length < 0 || length > length()) {
      throw new IllegalArgumentException(
          "cannot truncate a cache of " + length() + " positions to " + length);
    }
    long kept = 0;
    int i = 0;
    while (i < keys.size() && kept + keys.get(i).getShape().get(1) <= length) {
      kept += keys.get(i).getShape().get(1);
      i++;
    }
    if (i < keys.size() && kept < length) {
      long part = length - kept;
      NDArray k = keys.get(i).get(new NDIndex(":, :{}, :", part));
      NDArray v = values.get(i).get(new NDIndex(":, :{}, :", part));
      Intermediates.keep(k, v);
      keys.set(i, k);
      values.set(i, v);
      i++;
    }
    keys.subList(i, keys.size()).clear();
    values.subList(i, values.size()).clear();
  }
}
