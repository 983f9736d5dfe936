package dev.speculators.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.speculators.train.model.CausalDecodeAttention;
import dev.speculators.train.model.KvCache;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One sequence being decoded by the target: a key/value cache per layer and the number of positions
 * it holds. {@link #extend} runs new tokens at the next positions (a prefill, one decoding step, or
 * the verification of draft tokens); {@link #truncate} forgets positions, e.g. of rejected draft
 * tokens. Its arrays live in the manager it was given; not thread-safe.
 */
public final class TargetSession {
  private final ReferenceModel model;
  private final NDManager manager;
  private final List<KvCache> caches = new ArrayList<>();
  private long length;

  TargetSession(ReferenceModel model, NDManager manager) {
    this.model = model;
    this.manager = manager;
    for (int i = 0; i < model.config().numLayers(); i++) {
      caches.add(new KvCache());
    }
  }

  /** Positions in the cache. */
  public long length() {
    return length;
  }

  public NDManager manager() {
    return manager;
  }

  /**
   * Runs {@code ids} at positions {@code length() ..}, each seeing the cached sequence and the new
   * positions before it, and appends them to the cache.
   *
   * @param captureLayerIds hidden states to keep (vLLM layer ids), may be empty
   */
  public Step extend(long[] ids, int[] captureLayerIds) {
    if (ids.length == 0) {
      throw new IllegalArgumentException("no tokens to run");
    }
    long[] positions = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      positions[i] = length + i;
    }
    Map<Integer, NDArray> captured = new HashMap<>();
    NDArray out =
        model.forward(
            manager.create(ids),
            manager.create(positions),
            this::attend,
            captureLayerIds,
            captured);
    length += ids.length;
    return new Step(model, out, captured);
  }

  private NDArray attend(int layer, NDArray q, NDArray k, NDArray v) {
    KvCache cache = caches.get(layer);
    cache.append(k, v);
    return CausalDecodeAttention.INSTANCE.attend(q, cache, null);
  }

  /** Keeps the first {@code newLength} positions. */
  public void truncate(long newLength) {
    if (newLength < 0 || newLength > length) {
      throw new IllegalArgumentException(
          "cannot truncate " + length + " positions to " + newLength);
    }
    for (KvCache c : caches) {
      c.truncate(newLength);
    }
    length = newLength;
  }

  /** What one {@link #extend} produced. */
  public static final class Step {
    private final ReferenceModel model;
    private final NDArray prenorm;
    private final Map<Integer, NDArray> captured;
    private NDArray logits;

    Step(ReferenceModel model, NDArray prenorm, Map<Integer, NDArray> captured) {
      this.model = model;
      this.prenorm = prenorm;
      this.captured = captured;
    }

    /** The last layer's output before the final norm, [t, H]. */
    public NDArray prenorm() {
      return prenorm;
    }

    /** A captured hidden state [t, H]. */
    public NDArray hidden(int layerId) {
      NDArray a = captured.get(layerId);
      if (a == null) {
        throw new IllegalArgumentException("layer " + layerId + " was not captured");
      }
      return a;
    }

    /** Output logits [t, V], computed on first use. */
    public NDArray logits() {
      if (logits == null) {
        logits = model.logits(prenorm);
      }
      return logits;
    }

    /** The greedy choice at every new position. */
    public long[] argmax() {
      return logits().argMax(-1).toLongArray();
    }
  }
}
