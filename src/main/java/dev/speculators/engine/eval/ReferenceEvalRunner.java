package dev.speculators.engine.eval;

import dev.speculators.datagen.chat.TemplateTokenizerRenderer;
import dev.speculators.engine.EngineThreads;
import dev.speculators.engine.GreedyDecoder;
import dev.speculators.engine.ReferenceModel;
import dev.speculators.engine.SpeculativeDecoder;
import dev.speculators.engine.Speculator;
import dev.speculators.eval.BenchmarkProgress;
import dev.speculators.eval.DatasetResolver;
import dev.speculators.eval.EvalDataset;
import dev.speculators.eval.EvalException;
import dev.speculators.eval.SpecDecodeCounters;
import dev.speculators.io.TerminationLog;
import dev.speculators.io.hf.HfModelDir;
import dev.speculators.io.hub.HfHub;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code eval --engine reference}: greedy speculative decoding of every prompt by the target and
 * the speculator in process, counted like vLLM counts it, so acceptance comes out of the same
 * {@code AcceptanceReport} as for a vLLM server. Optionally the same prompts with an untrained
 * draft of the same shape (what training bought) and a check that the output equals plain greedy
 * decoding. Results are rewritten after every dataset; the summary goes to the termination message
 * at the end, failure or not.
 */
public final class ReferenceEvalRunner {
  /** Hears about progress (the {@code run} command draws a bar from it). */
  public interface Listener {
    void prompt(String dataset, int done, int total);
  }

  private final ReferenceEvalSettings settings;
  private final HfHub hub;
  private final Consumer<String> log;
  private final Listener listener;
  private ReferenceEvalResults current;

  public ReferenceEvalRunner(
      ReferenceEvalSettings settings, HfHub hub, Consumer<String> log, Listener listener) {
    this.settings = settings;
    this.hub = hub;
    this.log = log;
    this.listener = listener == null ? (d, done, total) -> {} : listener;
  }

  public ReferenceEvalResults run() throws EvalException {
    EngineThreads.preferSingleThread();
    try {
      Files.createDirectories(settings.output());
    } catch (IOException e) {
      throw new EvalException(
          "--output " + settings.output() + ": cannot create the folder: " + e.getMessage(), e);
    }
    current = new ReferenceEvalResults(settings, null, List.of(), false, null);
    try {
      measure();
      ReferenceEvalResults done = current.finished(null);
      save(done);
      return done;
    } catch (EvalException | RuntimeException e) {
      String message = e.getMessage() != null ? e.getMessage() : e.toString();
      ReferenceEvalResults failed = current.finished(message);
      try {
        save(failed);
      } catch (EvalException saveFailure) {
        e.addSuppressed(saveFailure);
      }
      throw e instanceof EvalException ee ? ee : new EvalException(message, e);
    }
  }

  /**
   * A spec the resolver could not find as a file, but that names one rather than a GuideLLM spec.
   */
  private static boolean looksLikeFileName(String spec) {
    return !spec.contains("=") && spec.matches("(?i).+\\.(jsonl|json|csv|parquet)");
  }

  private void measure() throws EvalException {
    List<EvalDataset> datasets = new DatasetResolver(hub, log).resolve(settings.data());
    for (EvalDataset d : datasets) {
      if (d.kind() == EvalDataset.Kind.GUIDELLM && looksLikeFileName(d.spec())) {
        throw new EvalException(
            "--data "
                + d.spec()
                + ": no such file (the reference engine reads local prompt files)");
      }
      if (d.kind() == EvalDataset.Kind.GUIDELLM) {
        throw new EvalException(
            "--data "
                + d.spec()
                + ": the reference engine needs prompt files (.jsonl/.json);"
                + " GuideLLM built-in and synthetic data need --engine vllm");
      }
      String file = d.file().getFileName().toString();
      if (!file.endsWith(".jsonl") && !file.endsWith(".json")) {
        throw new EvalException(
            "--data "
                + d.spec()
                + ": the reference engine reads .jsonl and .json prompt files; "
                + file
                + " needs --engine vllm");
      }
    }
    try (HfModelDir targetDir = HfModelDir.open(settings.targetModel());
        ReferenceModel target = ReferenceModel.load(targetDir);
        TemplateTokenizerRenderer renderer =
            TemplateTokenizerRenderer.open(settings.targetModel(), Map.of());
        Speculator speculator = Speculator.load(settings.speculator(), target);
        Speculator untrained =
            settings.untrainedBaseline()
                ? speculator.untrainedTwin(targetDir, target, settings.untrainedSeed())
                : null) {
      current =
          new ReferenceEvalResults(settings, speculator.description(), List.of(), false, null);
      log.accept(
          String.format(
              Locale.ROOT,
              "reference engine: %s target %s, %s, K=%d, aux layers %s",
              target.config().architecture().modelType(),
              settings.targetModel(),
              speculator.description(),
              settings.numSpeculativeTokens(),
              Arrays.toString(speculator.auxLayerIds())));
      BenchmarkProgress progress = new BenchmarkProgress(datasets.size(), log);
      for (EvalDataset d : datasets) {
        ReferenceDatasetResult r = dataset(d, target, renderer, speculator, untrained);
        current = current.with(r);
        save(current);
        progress.completed(d.name(), false);
        log.accept(
            String.format(
                Locale.ROOT,
                "dataset '%s': %d prompts, %d output tokens, mean acceptance length %.3f over %d drafts%s",
                d.name(),
                r.prompts(),
                r.outputTokens(),
                r.acceptance().meanAcceptanceLength(),
                r.counters().drafts(),
                r.untrained() == null
                    ? ""
                    : String.format(
                        Locale.ROOT,
                        " (untrained draft %.3f)",
                        r.untrainedAcceptance().meanAcceptanceLength())));
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new EvalException(e.getMessage(), e);
    }
  }

  private ReferenceDatasetResult dataset(
      EvalDataset d,
      ReferenceModel target,
      TemplateTokenizerRenderer renderer,
      Speculator speculator,
      Speculator untrained)
      throws EvalException {
    long start = System.nanoTime();
    List<List<Map<String, Object>>> prompts =
        PromptFile.read(d.file(), settings.textColumn(), settings.maxRequests());
    int k = settings.numSpeculativeTokens();
    SpeculativeDecoder spec = new SpeculativeDecoder(target, speculator, k);
    SpeculativeDecoder baseline =
        untrained == null ? null : new SpeculativeDecoder(target, untrained, k);
    GreedyDecoder greedy = new GreedyDecoder(target);
    SpecDecodeCounters counters = SpecDecodeCounters.ZERO;
    SpecDecodeCounters untrainedCounters = untrained == null ? null : SpecDecodeCounters.ZERO;
    long outputTokens = 0;
    int passes = 0;
    int untrainedPasses = 0;
    for (int i = 0; i < prompts.size(); i++) {
      long[] ids;
      try {
        ids = renderer.render(prompts.get(i), true);
      } catch (RuntimeException e) {
        throw new EvalException(
            d.file() + " prompt " + (i + 1) + ": the chat template failed: " + e.getMessage(), e);
      }
      SpeculativeDecoder.Result r = spec.generate(ids, settings.maxOutputTokens());
      counters = counters.plus(r.counters());
      outputTokens += r.tokens().length;
      passes += r.targetPasses();
      if (baseline != null) {
        SpeculativeDecoder.Result u = baseline.generate(ids, settings.maxOutputTokens());
        untrainedCounters = untrainedCounters.plus(u.counters());
        untrainedPasses += u.targetPasses();
        requireSame(u.tokens(), r.tokens(), d, i, "the untrained draft's");
      }
      if (settings.checkLossless()) {
        requireSame(
            r.tokens(),
            greedy.generate(ids, settings.maxOutputTokens()).tokens(),
            d,
            i,
            "speculative");
      }
      listener.prompt(d.name(), i + 1, prompts.size());
    }
    return new ReferenceDatasetResult(
        d,
        prompts.size(),
        outputTokens,
        passes,
        counters,
        untrainedCounters,
        untrainedPasses,
        settings.checkLossless(),
        (System.nanoTime() - start) / 1e9);
  }

  private static void requireSame(
      long[] got, long[] expected, EvalDataset d, int prompt, String what) throws EvalException {
    if (!Arrays.equals(got, expected)) {
      throw new EvalException(
          d.name()
              + " prompt "
              + (prompt + 1)
              + ": "
              + what
              + " output "
              + Arrays.toString(got)
              + " differs from plain greedy decoding "
              + Arrays.toString(expected)
              + " (speculation must be lossless; this is a bug)");
    }
  }

  private void save(ReferenceEvalResults results) throws EvalException {
    try {
      ReferenceEvalOutputs.write(settings.output(), results);
    } catch (IOException e) {
      throw new EvalException(
          "cannot write the results into " + settings.output() + ": " + e.getMessage(), e);
    }
    if (settings.terminationLog() != null && (results.complete() || results.error() != null)) {
      TerminationLog.write(settings.terminationLog(), ReferenceEvalOutputs.summary(results));
    }
  }
}
