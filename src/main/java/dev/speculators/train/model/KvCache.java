package dev.speculators.train.model;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * Keys and values of every training-time-test step for one decoder layer. Step s holds [nkv, T,
 * hd] tensors rotated with step s's positions; the cache lives for one forward call, like
 * upstream's single DynamicCache shared by all steps.
 */
public final class KvCache {
  private final List<NDArray> keys = new ArrayList<>();
  private final List<NDArray> values = new ArrayList<>();

  public void append(NDArray key, NDArray value) {
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
}
