package dev.speculators.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.speculators.eval.SpecDecodeCounters;
import dev.speculators.train.model.Eagle3DraftModel;
import dev.speculators.train.model.KvCache;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Greedy speculative decoding as vLLM runs an EAGLE3 draft (eagle3-spec §7.2), offline: each round
 * the draft proposes K tokens, the target verifies them in one pass, the longest prefix that
 * matches the target's own greedy choices is accepted, and the target's next choice follows as the
 * bonus token. The output is therefore exactly plain greedy decoding.
 *
 * <p>How the draft is fed, as in vLLM: its cache covers the verified sequence, entry j pairing the
 * token at j+1 with {@code fc} of the target's aux hidden states at j (position j); speculative
 * steps feed the draft's own pre-norm output and the proposed token at the next position; rejected
 * entries are dropped from both caches. Counted like vLLM's spec-decode counters: one draft and K
 * draft tokens per verification, accepted tokens, and accepted per position.
 */
public final class SpeculativeDecoder {
  private final ReferenceModel target;
  private final Speculator speculator;
  private final int k;
  private final int[] capture;

  public SpeculativeDecoder(
      ReferenceModel target, Speculator speculator, int numSpeculativeTokens) {
    if (numSpeculativeTokens < 1) {
      throw new IllegalArgumentException(
          "num speculative tokens must be >= 1, got " + numSpeculativeTokens);
    }
    this.target = target;
    this.speculator = speculator;
    this.k = numSpeculativeTokens;
    LinkedHashSet<Integer> ids = new LinkedHashSet<>();
    for (int id : speculator.auxLayerIds()) {
      ids.add(id);
    }
    this.capture = ids.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * @param tokens the generated ids (stopping after an end-of-sequence token, or at the limit)
   * @param counters vLLM's spec-decode counters over this generation
   * @param targetPasses forward passes of the target (prefill and verifications)
   */
  public record Result(long[] tokens, SpecDecodeCounters counters, int targetPasses) {}

  public Result generate(long[] prompt, int maxNewTokens) {
    if (prompt.length == 0) {
      throw new IllegalArgumentException("empty prompt");
    }
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("maxNewTokens must be >= 1, got " + maxNewTokens);
    }
    Eagle3DraftModel draft = speculator.model();
    List<Long> out = new ArrayList<>();
    long drafts = 0;
    long accepted = 0;
    long[] perPosition = new long[k];
    int passes = 0;
    try (NDManager m = target.newManager()) {
      TargetSession session = target.newSession(m);
      List<KvCache> draftCaches = new ArrayList<>();
      for (int i = 0; i < draft.config().numLayers(); i++) {
        draftCaches.add(new KvCache());
      }
      TargetSession.Step prefill = session.extend(prompt, capture);
      passes++;
      long[] first = prefill.argmax();
      long token = first[first.length - 1];
      out.add(token);
      // draft entries not yet in its cache: aux states at j and the token at j+1
      NDArray pendingAux = auxStates(prefill, prompt.length);
      long[] pendingTokens = new long[prompt.length];
      System.arraycopy(prompt, 1, pendingTokens, 0, prompt.length - 1);
      pendingTokens[prompt.length - 1] = token;
      long draftLength = 0;

      while (!target.config().isEos(token) && out.size() < maxNewTokens) {
        // 1. the draft catches up with the verified sequence, then proposes K tokens
        NDArray h =
            draft.decode(
                m.create(pendingTokens),
                draft.fc(pendingAux),
                positions(m, draftLength, pendingTokens.length),
                draftCaches);
        draftLength += pendingTokens.length;
        NDArray last = h.get(new NDIndex("{}:", h.getShape().get(0) - 1));
        long[] proposal = new long[k];
        for (int s = 0; s < k; s++) {
          long draftId = draft.logits(last).argMax(-1).toLongArray()[0];
          proposal[s] = draft.toVerifierIds(new long[] {draftId})[0];
          if (s + 1 < k) {
            last =
                draft.decode(
                    m.create(new long[] {proposal[s]}),
                    last,
                    positions(m, draftLength + s, 1),
                    draftCaches);
          }
        }
        for (KvCache c : draftCaches) {
          c.truncate(draftLength);
        }

        // 2. the target verifies [token, proposal...] in one pass
        long verifiedLength = session.length();
        long[] run = new long[k + 1];
        run[0] = token;
        System.arraycopy(proposal, 0, run, 1, k);
        TargetSession.Step verify = session.extend(run, capture);
        passes++;
        long[] greedy = verify.argmax();
        int a = 0;
        while (a < k && proposal[a] == greedy[a]) {
          a++;
        }
        drafts++;
        accepted += a;
        for (int i = 0; i < a; i++) {
          perPosition[i]++;
        }
        session.truncate(verifiedLength + 1 + a);

        // 3. accepted tokens and the bonus token join the output
        long[] emitted = Arrays.copyOf(proposal, a + 1);
        emitted[a] = greedy[a];
        for (long e : emitted) {
          out.add(e);
          token = e;
          if (target.config().isEos(e) || out.size() >= maxNewTokens) {
            break;
          }
        }
        pendingAux = auxStates(verify, a + 1);
        pendingTokens = emitted;
      }
    }
    long[] tokens = out.stream().mapToLong(Long::longValue).toArray();
    return new Result(
        tokens, new SpecDecodeCounters(drafts, drafts * k, accepted, perPosition), passes);
  }

  // [rows, auxLayers·H]: the first rows of the step's captured states, in the draft's aux order
  private NDArray auxStates(TargetSession.Step step, int rows) {
    NDList parts = new NDList();
    for (int id : speculator.auxLayerIds()) {
      parts.add(step.hidden(id).get(new NDIndex(":{}", rows)));
    }
    return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, -1);
  }

  private static NDArray positions(NDManager m, long from, int count) {
    long[] p = new long[count];
    for (int i = 0; i < count; i++) {
      p[i] = from + i;
    }
    return m.create(p);
  }
}
