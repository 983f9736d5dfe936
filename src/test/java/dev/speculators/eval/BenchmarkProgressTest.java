package dev.speculators.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.speculators.io.ProgressLine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BenchmarkProgressTest {
  @Test
  void eachFinishedRunPrintsCountsElapsedAndAnEtaFromTheMeanRunTime() {
    List<String> log = new ArrayList<>();
    AtomicLong nanos = new AtomicLong(0);
    BenchmarkProgress p = new BenchmarkProgress(4, log::add, nanos::get);

    nanos.set(60_000_000_000L);
    p.completed("math", false);
    nanos.set(90_000_000_000L);
    p.completed("math", true);

    assertThat(log).hasSize(2).allSatisfy(l -> assertThat(l).startsWith(ProgressLine.PREFIX));
    var second = ProgressLine.parse(log.get(1)).orElseThrow();
    assertThat(second.path("kind").asText()).isEqualTo("eval");
    assertThat(second.path("dataset").asText()).isEqualTo("math");
    assertThat(second.path("baseline").asBoolean()).isTrue();
    assertThat(second.path("benchmarksCompleted").asInt()).isEqualTo(2);
    assertThat(second.path("benchmarksTotal").asInt()).isEqualTo(4);
    assertThat(second.path("elapsedSeconds").asLong()).isEqualTo(90);
    // two runs in 90 s: the two left take another 90 s
    assertThat(second.path("etaSeconds").asLong()).isEqualTo(90);
  }
}
