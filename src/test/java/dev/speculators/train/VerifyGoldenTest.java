package dev.speculators.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import dev.speculators.cli.VerifyGoldenCommand;
import dev.speculators.train.golden.GoldenCase;
import dev.speculators.train.golden.GoldenResult;
import dev.speculators.train.golden.Measure;
import dev.speculators.train.golden.ReferenceAdamW;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** The trainer reproduces the upstream Python implementation's numbers on every shipped case. */
class VerifyGoldenTest {
  static final Path FIXTURES = Path.of("src/test/resources/fixtures/eagle3");

  @ParameterizedTest
  @CsvSource({
    "case_basic,FUSED",
    "case_teacher_forced,FUSED",
    "case_two_layers,FUSED",
    "case_full_vocab,FUSED",
    "case_basic,DENSE",
    "case_two_layers,DENSE"
  })
  void caseMatchesUpstream(String name, GoldenCase.AttentionPath path) throws Exception {
    GoldenResult r = GoldenCase.run(FIXTURES.resolve(name), path);
    System.out.println(path + " " + r.line());
    assertThat(r.measures())
        .extracting(Measure::quantity)
        .contains(
            "loss",
            "metrics",
            "grad",
            "grad_norm",
            "params1",
            "params2",
            "update2",
            "draft_tokens");
    assertThat(r.measures()).allSatisfy(m -> assertThat(m.ok()).as(m.toString()).isTrue());
  }

  /**
   * A deliberately wrong optimizer must fail the update check. The subtle ones (a few percent of
   * one element's update) pass every other quantity, which sees the optimizer only through the
   * parameters at a 1e-4 tolerance: the update check is what catches them, and its tolerance is
   * meaningful.
   */
  @ParameterizedTest
  @CsvSource({
    "eps 1e-6,case_basic,false",
    "beta1 0.91,case_two_layers,true",
    "no weight decay,case_full_vocab,true",
    "lr x1.001,case_basic,true",
    "eps inside the square root,case_teacher_forced,false",
    "second moment not bias-corrected,case_two_layers,false",
    "L2 penalty instead of decoupled decay,case_basic,false"
  })
  void aDeliberatelyWrongUpdateFails(String bug, String name, boolean subtle) throws Exception {
    GoldenCase.OptimizerFactory wrong =
        (params, s) ->
            switch (bug) {
              case "eps 1e-6" ->
                  GoldenCase.adamW(
                      params,
                      new ReferenceAdamW.Settings(s.beta1(), s.beta2(), 1e-6, s.weightDecay()));
              case "beta1 0.91" ->
                  GoldenCase.adamW(
                      params,
                      new ReferenceAdamW.Settings(0.91, s.beta2(), s.eps(), s.weightDecay()));
              case "no weight decay" ->
                  GoldenCase.adamW(
                      params, new ReferenceAdamW.Settings(s.beta1(), s.beta2(), s.eps(), 0));
              case "lr x1.001" -> {
                GoldenCase.Optimizer right = GoldenCase.adamW(params, s);
                yield new GoldenCase.Optimizer() {
                  @Override
                  public void zeroGrad() {
                    right.zeroGrad();
                  }

                  @Override
                  public void step(double lr) {
                    right.step(lr * 1.001);
                  }
                };
              }
              default -> new WrongAdamW(params, s, bug);
            };
    GoldenResult r = GoldenCase.run(FIXTURES.resolve(name), GoldenCase.AttentionPath.FUSED, wrong);
    System.out.println(bug + ": " + r.line());
    assertThat(r.passed()).isFalse();
    assertThat(r.measures())
        .filteredOn(m -> m.quantity().startsWith("update"))
        .anySatisfy(m -> assertThat(m.ok()).isFalse());
    if (subtle) {
      assertThat(r.measures())
          .filteredOn(m -> !m.quantity().startsWith("update"))
          .allSatisfy(m -> assertThat(m.ok()).as(m.toString()).isTrue());
    }
  }

  /** AdamW with one of three classic mistakes in its arithmetic. */
  private static final class WrongAdamW implements GoldenCase.Optimizer {
    private final Map<String, NDArray> params;
    private final ReferenceAdamW.Settings s;
    private final String bug;
    private final GoldenCase.Optimizer zeroing;
    private final Map<String, NDArray> m = new HashMap<>();
    private final Map<String, NDArray> v = new HashMap<>();
    private int t;

    WrongAdamW(Map<String, NDArray> params, ReferenceAdamW.Settings s, String bug) {
      this.params = params;
      this.s = s;
      this.bug = bug;
      this.zeroing = GoldenCase.adamW(params, s);
      params.forEach(
          (k, p) -> {
            m.put(k, p.getManager().zeros(p.getShape()));
            v.put(k, p.getManager().zeros(p.getShape()));
          });
    }

    @Override
    public void zeroGrad() {
      zeroing.zeroGrad();
    }

    @Override
    public void step(double lr) {
      t++;
      double bc1 = 1 - Math.pow(s.beta1(), t);
      double bc2 = bug.startsWith("second moment") ? 1 : 1 - Math.pow(s.beta2(), t);
      boolean l2 = bug.startsWith("L2");
      for (Map.Entry<String, NDArray> e : params.entrySet()) {
        NDArray p = e.getValue();
        NDArray g = p.getGradient();
        if (l2) {
          g = g.add(p.mul((float) s.weightDecay()));
        } else {
          p.muli((float) (1 - lr * s.weightDecay()));
        }
        NDArray mk = m.get(e.getKey());
        NDArray vk = v.get(e.getKey());
        mk.muli((float) s.beta1()).addi(g.mul((float) (1 - s.beta1())));
        vk.muli((float) s.beta2()).addi(g.mul(g).muli((float) (1 - s.beta2())));
        NDArray denom =
            bug.startsWith("eps inside")
                ? vk.div((float) bc2).addi((float) s.eps()).sqrt()
                : vk.div((float) bc2).sqrt().addi((float) s.eps());
        p.subi(mk.div(denom).muli((float) (lr / bc1)));
      }
    }
  }

  @Test
  void commandPrintsOneLinePerCaseAndSucceeds() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    int code;
    try {
      System.setOut(new PrintStream(out, true));
      code = new CommandLine(new VerifyGoldenCommand()).execute(FIXTURES.toString());
    } finally {
      System.setOut(old);
    }
    assertThat(code).isZero();
    assertThat(out.toString().lines()).hasSize(4).allMatch(l -> l.contains("PASS"));
  }
}
