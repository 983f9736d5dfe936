package dev.speculators.datagen;

import com.fasterxml.jackson.databind.JsonNode;
import dev.speculators.datagen.chat.ChatRowBuilder;
import dev.speculators.datagen.chat.Conversation;
import dev.speculators.datagen.chat.ConversationNormalizer;
import dev.speculators.datagen.chat.TurnDropout;
import dev.speculators.datagen.source.Source;
import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Builds the {@link SamplePlan} from the sources in three streaming passes, so that only the
 * selected records' row counts and this shard's conversations are ever held in memory:
 *
 * <ol>
 *   <li>count the records of every source;
 *   <li>select: each source's records are shuffled with a generator derived from the seed and the
 *       source's position in the {@code --data} list, and its first {@code maxSamples} kept; with
 *       several sources the concatenated selections are shuffled again (another derived generator)
 *       and cut to the overall {@code maxSamples}. The selected records are normalised (turn
 *       dropout seeded per record) and their rows counted;
 *   <li>{@link #conversations} reads back only the records a shard needs.
 * </ol>
 *
 * All randomness is {@link SplitMix64}; the plan depends only on the sources, the seed, the
 * sampling options and whether the template allows one row per conversation.
 */
public final class SamplePlanner {
  private final List<Source> sources;
  private final long seed;
  private final Long maxSamples;
  private final boolean turnDropout;
  private final boolean prefixMode;
  private final ConversationNormalizer normalizer = new ConversationNormalizer();
  private final Consumer<String> log;
  private final AtomicLong invalid = new AtomicLong();

  public SamplePlanner(
      List<Source> sources,
      long seed,
      Long maxSamples,
      boolean turnDropout,
      boolean prefixMode,
      Consumer<String> log) {
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("no dataset sources");
    }
    this.sources = List.copyOf(sources);
    this.seed = seed;
    this.maxSamples = maxSamples;
    this.turnDropout = turnDropout;
    this.prefixMode = prefixMode;
    this.log = log;
  }

  public ConversationNormalizer normalizer() {
    return normalizer;
  }

  public SamplePlan plan() throws IOException {
    List<int[]> selectedPerSource = new ArrayList<>();
    List<SamplePlan.SourceStats> stats = new ArrayList<>();
    int total = 0;
    for (int s = 0; s < sources.size(); s++) {
      Source src = sources.get(s);
      log.accept(
          "counting the records of " + src.spec().text() + " (" + src.paths().size() + " files)");
      long count = src.count();
      if (count > Integer.MAX_VALUE) {
        throw new IOException("--data " + src.spec().text() + ": more than 2^31 records");
      }
      int[] perm = SplitMix64.derive(seed, "shuffle-source", s).permutation((int) count);
      Long cap = src.spec().maxSamples();
      int keep = cap == null ? perm.length : (int) Math.min(perm.length, cap);
      int[] selected = java.util.Arrays.copyOf(perm, keep);
      selectedPerSource.add(selected);
      total += keep;
      stats.add(
          new SamplePlan.SourceStats(
              src.spec().text(), count, keep, src.paths().stream().map(Object::toString).toList()));
    }
    int[] source = new int[total];
    long[] record = new long[total];
    int p = 0;
    for (int s = 0; s < selectedPerSource.size(); s++) {
      for (int r : selectedPerSource.get(s)) {
        source[p] = s;
        record[p] = r;
        p++;
      }
    }
    if (sources.size() > 1) {
      int[] mix = SplitMix64.derive(seed, "shuffle-all").permutation(total);
      int[] s2 = new int[total];
      long[] r2 = new long[total];
      for (int i = 0; i < total; i++) {
        s2[i] = source[mix[i]];
        r2[i] = record[mix[i]];
      }
      source = s2;
      record = r2;
    }
    if (maxSamples != null && maxSamples < total) {
      total = (int) (long) maxSamples;
      source = java.util.Arrays.copyOf(source, total);
      record = java.util.Arrays.copyOf(record, total);
    }
    log.accept("normalising the " + total + " selected records and counting their rows");
    int[] rows = new int[total];
    final int[] src = source;
    final long[] rec = record;
    readPositions(
        src,
        rec,
        allPositions(total),
        (pos, conv) -> rows[pos] = conv.map(c -> ChatRowBuilder.rowCount(c, prefixMode)).orElse(0));
    long valid = total - invalid.get();
    if (total > 0 && valid == 0) {
      throw new IOException(
          "none of the " + total + " selected records holds a conversation (see the errors above)");
    }
    return new SamplePlan(
        source,
        record,
        rows,
        stats,
        invalid.get(),
        new SamplePlan.Normalization(
            normalizer.droppedRoles(), normalizer.recordsWithoutAssistant()));
  }

  /** The conversations at plan positions {@code [from, to)}, read back from the sources. */
  public Map<Integer, Conversation> conversations(SamplePlan plan, int from, int to)
      throws IOException {
    int n = plan.positions();
    int[] src = new int[n];
    long[] rec = new long[n];
    for (int i = 0; i < n; i++) {
      src[i] = plan.source(i);
      rec[i] = plan.record(i);
    }
    BitSet wanted = new BitSet(n);
    wanted.set(from, to);
    Map<Integer, Conversation> out = new HashMap<>();
    readPositions(src, rec, wanted, (pos, conv) -> conv.ifPresent(c -> out.put(pos, c)));
    return out;
  }

  private static BitSet allPositions(int n) {
    BitSet b = new BitSet(n);
    b.set(0, n);
    return b;
  }

  private interface PositionVisitor {
    void accept(int position, Optional<Conversation> conversation);
  }

  /** Reads the records at the wanted positions, source by source, in file order. */
  private void readPositions(int[] source, long[] record, BitSet wanted, PositionVisitor visitor)
      throws IOException {
    for (int s = 0; s < sources.size(); s++) {
      Map<Long, Integer> positionOf = new HashMap<>();
      for (int p = wanted.nextSetBit(0); p >= 0; p = wanted.nextSetBit(p + 1)) {
        if (source[p] == s) {
          positionOf.put(record[p], p);
        }
      }
      if (positionOf.isEmpty()) {
        continue;
      }
      final int sourceIndex = s;
      sources
          .get(s)
          .read(
              positionOf::containsKey,
              (r, node, where) ->
                  visitor.accept(positionOf.get(r), conversation(sourceIndex, r, node, where)));
    }
  }

  private Optional<Conversation> conversation(
      int source, long record, JsonNode node, String where) {
    Optional<Conversation> c;
    try {
      c = normalizer.normalize(node);
    } catch (IllegalArgumentException e) {
      long n = invalid.incrementAndGet();
      if (n <= 10) {
        log.accept(
            "skipping "
                + where
                + " of --data "
                + sources.get(source).spec().text()
                + ": "
                + e.getMessage());
      } else if (n == 11) {
        log.accept("(further invalid records are counted, not listed)");
      }
      return Optional.empty();
    }
    boolean dropout = sources.get(source).spec().turnDropoutOr(turnDropout);
    return dropout
        ? c.map(x -> TurnDropout.apply(x, SplitMix64.derive(seed, "turn-dropout", source, record)))
        : c;
  }
}
