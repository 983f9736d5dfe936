package dev.speculators.engine;

import ai.djl.ndarray.NDManager;
import dev.speculators.datagen.GenerationException;
import dev.speculators.datagen.HiddenStateSource;
import dev.speculators.io.HostTensor;
import dev.speculators.train.Tensors;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Datagen's {@code engine: reference}: the target's prefill computed in process, returning the same
 * hidden states (vLLM layer ids, float32) a vLLM server with {@code extract_hidden_states} writes.
 * Safe to call from several datagen threads at once: each call has its own arrays.
 */
public final class ReferenceHiddenStateSource implements HiddenStateSource {
  private final ReferenceModel model;
  private final String description;
  private final LongConsumer onPrefill;

  /**
   * @param onPrefill told the token count of every finished prefill (progress), or null
   */
  public ReferenceHiddenStateSource(
      ReferenceModel model, String description, LongConsumer onPrefill) {
    this.model = model;
    this.description = description;
    this.onPrefill = onPrefill;
  }

  @Override
  public List<HostTensor> prefill(long[] ids, int[] layerIds) throws GenerationException {
    if (ids.length == 0) {
      throw new GenerationException("empty row", false, null);
    }
    int[] distinct =
        new LinkedHashSet<>(boxed(layerIds)).stream().mapToInt(Integer::intValue).toArray();
    List<HostTensor> out = new ArrayList<>(layerIds.length);
    try (NDManager m = model.newManager()) {
      TargetSession.Step step = model.newSession(m).extend(ids, distinct);
      for (int id : layerIds) {
        out.add(Tensors.toHost(step.hidden(id)));
      }
    } catch (IllegalArgumentException e) {
      throw new GenerationException(e.getMessage(), false, e);
    }
    if (onPrefill != null) {
      onPrefill.accept(ids.length);
    }
    return out;
  }

  private static List<Integer> boxed(int[] a) {
    List<Integer> l = new ArrayList<>(a.length);
    for (int v : a) {
      l.add(v);
    }
    return l;
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public void close() {
    model.close();
  }
}
