package dev.speculators.datagen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.speculators.datagen.chat.Conversation;
import dev.speculators.datagen.source.DataSpec;
import dev.speculators.datagen.source.Source;
import dev.speculators.datagen.source.SourceResolver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SamplePlannerTest {
  @TempDir Path dir;
  final List<String> log = new ArrayList<>();

  /** Record k has (k % 3) + 1 assistant turns; record 5 has none; record 7 is malformed. */
  Path dataset(String name, int n) throws Exception {
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < n; k++) {
      if (k == 7) {
        sb.append("{\"text\": \"no conversation\"}\n");
        continue;
      }
      sb.append("{\"id\": \"").append(name).append(k).append("\", \"messages\": [");
      int turns = k == 5 ? 0 : (k % 3) + 1;
      sb.append("{\"role\": \"user\", \"content\": \"")
          .append(name)
          .append(" q")
          .append(k)
          .append("\"}");
      for (int t = 0; t < turns; t++) {
        sb.append(", {\"role\": \"assistant\", \"content\": \"a").append(t).append("\"}");
        sb.append(", {\"role\": \"user\", \"content\": \"q").append(t).append("\"}");
      }
      sb.append("]}\n");
    }
    return Files.writeString(dir.resolve(name + ".jsonl"), sb.toString());
  }

  List<Source> sources(String... specs) throws Exception {
    SourceResolver r = new SourceResolver(null);
    List<Source> out = new ArrayList<>();
    for (String s : specs) {
      out.add(r.resolve(DataSpec.parse(s)));
    }
    return out;
  }

  @Test
  void planIsDeterministicAndCountsRows() throws Exception {
    Path a = dataset("a", 20);
    SamplePlan p1 =
        new SamplePlanner(sources(a.toString()), 3, null, false, false, log::add).plan();
    SamplePlan p2 =
        new SamplePlanner(sources(a.toString()), 3, null, false, false, log::add).plan();
    SamplePlan other =
        new SamplePlanner(sources(a.toString()), 4, null, false, false, log::add).plan();
    assertThat(p1.positions()).isEqualTo(20);
    // rows per record: (k%3)+1 except record 5 (0) and record 7 (invalid, 0)
    long expected = 0;
    for (int k = 0; k < 20; k++) {
      expected += (k == 5 || k == 7) ? 0 : (k % 3) + 1;
    }
    assertThat(p1.totalRows()).isEqualTo(expected);
    List<Long> order1 = new ArrayList<>();
    List<Long> order2 = new ArrayList<>();
    List<Long> order3 = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      order1.add(p1.record(i));
      order2.add(p2.record(i));
      order3.add(other.record(i));
    }
    assertThat(order1).isEqualTo(order2).isNotEqualTo(order3);
    assertThat(new HashSet<>(order1)).hasSize(20);
    assertThat(p1.invalidRecords()).isEqualTo(1);
    assertThat(p1.normalization().recordsWithoutAssistant()).isEqualTo(1);
    assertThat(log)
        .anyMatch(
            l -> l.contains("a.jsonl line 8") && l.contains("\"conversations\" or \"messages\""));
  }

  @Test
  void prefixModeGivesOneRowPerConversation() throws Exception {
    Path a = dataset("a", 20);
    SamplePlan p = new SamplePlanner(sources(a.toString()), 3, null, false, true, log::add).plan();
    assertThat(p.totalRows()).isEqualTo(18);
  }

  @Test
  void perSourceAndOverallCaps() throws Exception {
    Path a = dataset("a", 30);
    Path b = dataset("b", 30);
    SamplePlan p =
        new SamplePlanner(
                sources(a + ",maxSamples=10", b + ",maxSamples=4"), 1, 12L, false, true, log::add)
            .plan();
    assertThat(p.positions()).isEqualTo(12);
    assertThat(p.sourceStats())
        .extracting(SamplePlan.SourceStats::selected)
        .containsExactly(10L, 4L);
    Set<Integer> sourcesSeen = new HashSet<>();
    for (int i = 0; i < p.positions(); i++) {
      sourcesSeen.add(p.source(i));
    }
    assertThat(sourcesSeen).containsExactlyInAnyOrder(0, 1);
    // the first 10 of source a's shuffle are the same records as a run with only source a
    SamplePlan onlyA =
        new SamplePlanner(sources(a + ",maxSamples=10"), 1, null, false, true, log::add).plan();
    Set<Long> aRecords = new HashSet<>();
    for (int i = 0; i < onlyA.positions(); i++) {
      aRecords.add(onlyA.record(i));
    }
    for (int i = 0; i < p.positions(); i++) {
      if (p.source(i) == 0) {
        assertThat(aRecords).contains(p.record(i));
      }
    }
  }

  @Test
  void shardsPartitionTheRowsAndFindTheirConversations() throws Exception {
    Path a = dataset("a", 25);
    SamplePlanner planner =
        new SamplePlanner(sources(a.toString()), 9, null, false, false, log::add);
    SamplePlan p = planner.plan();
    long covered = 0;
    long next = 0;
    for (int s = 0; s < 4; s++) {
      SamplePlan.ShardRange r = p.shard(s, 4);
      assertThat(r.from()).isEqualTo(next);
      next = r.to();
      covered += r.size();
      int fromPos = p.positionOf(r.from());
      int toPos = p.positionOf(r.to() - 1) + 1;
      Map<Integer, Conversation> convs = planner.conversations(p, fromPos, toPos);
      for (long row = r.from(); row < r.to(); row++) {
        int pos = p.positionOf(row);
        assertThat(row - p.firstRow(pos)).isBetween(0L, p.rows(pos) - 1L);
        Conversation c = convs.get(pos);
        assertThat(c).isNotNull();
        assertThat(c.messages().get(0).content()).isEqualTo("a q" + p.record(pos));
      }
    }
    assertThat(covered).isEqualTo(p.totalRows());
    assertThatThrownBy(() -> p.shard(4, 4)).hasMessageContaining("shard 4/4");
  }

  @Test
  void turnDropoutIsPartOfThePlanAndDeterministic() throws Exception {
    Path a = dataset("a", 40);
    SamplePlan with =
        new SamplePlanner(sources(a + ",turnDropout=true"), 5, null, false, false, log::add).plan();
    SamplePlan again =
        new SamplePlanner(sources(a.toString()), 5, null, true, false, log::add).plan();
    SamplePlan without =
        new SamplePlanner(sources(a.toString()), 5, null, false, false, log::add).plan();
    assertThat(with.totalRows()).isEqualTo(again.totalRows()).isLessThan(without.totalRows());
  }
}
