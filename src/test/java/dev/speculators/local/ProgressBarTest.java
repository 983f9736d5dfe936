package dev.speculators.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

  @Test
  void inALogItPrintsAtEveryTenthAndOnceAtTheEnd() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    ProgressBar bar =
        new ProgressBar(
            new PrintStream(buf, true, StandardCharsets.UTF_8), false, "train x", "steps");
    for (int i = 1; i <= 200; i++) {
      bar.update(i, 200, "loss 1.0");
    }
    bar.finish(200, 200, "done");
    String[] lines = buf.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(lines).hasSize(11);
    assertThat(lines[0])
        .startsWith("train x")
        .contains("[---")
        .contains(" 1/200")
        .contains("steps");
    assertThat(lines[10])
        .contains("[########################]")
        .contains("200/200")
        .doesNotContain("ETA");
  }

  @Test
  void onATerminalItRedrawsOneLine() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    ProgressBar bar =
        new ProgressBar(
            new PrintStream(buf, true, StandardCharsets.UTF_8), true, "eval y", "prompts");
    bar.update(1, 4, "");
    bar.finish(4, 4, "mean acceptance length 2.5");
    String out = buf.toString(StandardCharsets.UTF_8);
    assertThat(out)
        .startsWith("\r")
        .endsWith("\n")
        .contains("4/4")
        .contains("mean acceptance length 2.5");
    assertThat(out.chars().filter(c -> c == '\n').count()).isEqualTo(1);
  }
}
