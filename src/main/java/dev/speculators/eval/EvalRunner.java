package dev.speculators.eval;

import dev.speculators.io.AtomicFiles;
import dev.speculators.io.TerminationLog;
import dev.speculators.io.hub.HfHub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One evaluation: for each dataset, scrape the server's spec-decode counters, run GuideLLM, scrape
 * again, and (optionally) run the same traffic against a baseline server without speculation.
 * Results are rewritten after every dataset, so a failure later keeps what was measured; the
 * compact summary goes to the termination message at the end, failure or not.
 */
public final class EvalRunner {
  private static final Duration HEALTH_POLL = Duration.ofSeconds(2);

  private final EvalSettings settings;
  private final HfHub hub;
  private final Consumer<String> log;

  /** What has been measured so far; saved as is when the run fails. */
  private EvalResults current;

  public EvalRunner(EvalSettings settings, HfHub hub, Consumer<String> log) {
    this.settings = settings;
    this.hub = hub;
    this.log = log;
  }

  /** Runs the evaluation; the results are in the output folder either way. */
  public EvalResults run() throws EvalException {
    Path out = settings.output();
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new EvalException(
          "--output " + out + ": cannot create the folder: " + e.getMessage(), e);
    }
    current =
        new EvalResults(
            VllmClient.serverRoot(settings.endpoint()),
            settings.baselineEndpoint() == null
                ? null
                : VllmClient.serverRoot(settings.baselineEndpoint()),
            null,
            List.of(),
            settings.guidellm(),
            settings.guidellmCli(),
            null,
            settings.benchmark(),
            List.of(),
            false,
            null);
    try {
      measure();
      EvalResults results = current.finished(null);
      save(results);
      log.accept("results in " + out.toAbsolutePath());
      return results;
    } catch (EvalException | RuntimeException e) {
      String message = e.getMessage() != null ? e.getMessage() : e.toString();
      EvalResults failed = current.finished(message);
      try {
        save(failed);
      } catch (EvalException saveFailure) {
        e.addSuppressed(saveFailure);
      }
      throw e instanceof EvalException ee ? ee : new EvalException(message, e);
    }
  }

  private void measure() throws EvalException {
    List<EvalDataset> datasets = new DatasetResolver(hub, log).resolve(settings.data());
    if (settings.guidellmCli() == GuidellmCli.V0_7) {
      for (EvalDataset d : datasets) {
        String problem =
            d.kind() == EvalDataset.Kind.GUIDELLM ? GuidellmData.problem(d.spec()) : null;
        if (problem != null) {
          throw new EvalException("--data " + d.spec() + ": " + problem);
        }
      }
    }
    Map<String, Path> baselineFiles = baselineFiles(datasets);
    log.accept(
        datasets.size()
            + " dataset(s): "
            + String.join(", ", datasets.stream().map(EvalDataset::name).toList()));

    VllmClient vllm = new VllmClient(settings.endpoint(), settings.requestTimeout());
    vllm.awaitHealthy(settings.startupTimeout(), HEALTH_POLL, log);
    VllmClient baselineServer = null;
    if (settings.baselineEndpoint() != null) {
      baselineServer = new VllmClient(settings.baselineEndpoint(), settings.requestTimeout());
      baselineServer.awaitHealthy(settings.startupTimeout(), HEALTH_POLL, log);
    }
    String version = vllm.version().orElse(null);
    current =
        new EvalResults(
            current.endpoint(),
            current.baselineEndpoint(),
            version,
            vllm.models(),
            current.guidellmExecutable(),
            current.guidellmCli(),
            null,
            current.settings(),
            List.of(),
            false,
            null);
    log.accept(
        "vLLM "
            + (version == null ? "(version unknown)" : version)
            + " at "
            + vllm.base()
            + ", serving "
            + current.servedModels());

    String firstScrape = vllm.metrics();
    String source = vllm.base() + "/metrics";
    if (!SpecDecodeCounters.present(PrometheusText.parse(source, firstScrape))) {
      throw new EvalException(
          "vLLM at "
              + vllm.base()
              + " exports no "
              + SpecDecodeCounters.DRAFTS
              + " counter: it is not serving"
              + " with a speculator (--speculative-config), or stats logging is off (--disable-log-stats)");
    }
    GuidellmRunner guidellm =
        new GuidellmRunner(settings.guidellm(), settings.benchmarkTimeout(), log);
    String beforeText = firstScrape;
    BenchmarkProgress progress =
        new BenchmarkProgress(datasets.size() * (baselineServer != null ? 2 : 1), log);
    for (int i = 0; i < datasets.size(); i++) {
      EvalDataset d = datasets.get(i);
      String what = "for dataset '" + d.name() + "'";
      log.accept(
          String.format(
              Locale.ROOT, "dataset %d/%d '%s' (%s)", i + 1, datasets.size(), d.name(), d.spec()));
      if (i > 0) {
        beforeText = vllm.metrics();
      }
      write(metricsPath(d, "before"), beforeText);
      SpecDecodeCounters before = SpecDecodeCounters.fromPrometheusText(source, beforeText);
      GuidellmResult benchmark = runGuidellm(guidellm, settings.endpoint(), d, false, what);
      progress.completed(d.name(), false);
      String afterText = vllm.metrics();
      write(metricsPath(d, "after"), afterText);
      SpecDecodeCounters after = SpecDecodeCounters.fromPrometheusText(source, afterText);

      GuidellmResult baseline = null;
      String baselineSource = null;
      if (baselineServer != null) {
        log.accept("dataset '" + d.name() + "': baseline run against " + baselineServer.base());
        baseline =
            runGuidellm(guidellm, settings.baselineEndpoint(), d, true, what + " (baseline)");
        progress.completed(d.name(), true);
        baselineSource = baselineServer.base().toString();
      } else if (baselineFiles.containsKey(d.name())) {
        Path f = baselineFiles.get(d.name());
        baseline = readBaseline(f);
        baselineSource = f.toString();
      }
      DatasetResult result =
          new DatasetResult(d, before, after, benchmark, baseline, baselineSource);
      current = current.withDataset(result, benchmark.guidellmVersion());
      save(current);
      AcceptanceReport a = result.acceptance();
      log.accept(
          String.format(
              Locale.ROOT,
              "dataset '%s': mean acceptance length %.3f over %d drafts, %.1f output tokens/s%s",
              d.name(),
              a.meanAcceptanceLength(),
              a.drafts(),
              benchmark.headline().outputTokensPerSecond(),
              baseline == null
                  ? ""
                  : String.format(Locale.ROOT, " (speedup %.3f)", result.speedup())));
      if (benchmark.benchmarks().size() > 1) {
        for (GuidellmBenchmark b : benchmark.benchmarks()) {
          log.accept(
              String.format(
                  Locale.ROOT,
                  "dataset '%s' benchmark %s: %.1f output tokens/s, %.2f requests/s, %d failed",
                  d.name(),
                  b.label(),
                  b.outputTokensPerSecond(),
                  b.requestsPerSecond(),
                  Math.max(0, b.requests().errored())));
        }
      }
    }
  }

  private GuidellmResult runGuidellm(
      GuidellmRunner runner, String target, EvalDataset d, boolean baseline, String what)
      throws EvalException {
    Path output = settings.output().resolve(EvalOutputs.guidellmFile(d.name(), baseline));
    Path partial = output.resolveSibling(output.getFileName() + ".partial.json");
    List<String> args =
        settings
            .guidellmCli()
            .arguments(
                VllmClient.serverRoot(target), d, settings.benchmark(), partial.toAbsolutePath());
    return runner.run(
        args,
        partial,
        output,
        settings.output().resolve(EvalOutputs.guidellmLog(d.name(), baseline)),
        what);
  }

  /**
   * Checks up front that every dataset has its baseline result, so nothing fails after hours of
   * benchmarks.
   */
  private Map<String, Path> baselineFiles(List<EvalDataset> datasets) throws EvalException {
    Map<String, Path> files = new HashMap<>();
    Path source = settings.baselineResults();
    if (source == null) {
      return files;
    }
    if (Files.isRegularFile(source)) {
      if (datasets.size() != 1) {
        throw new EvalException(
            "--baseline-results "
                + source
                + ": one GuideLLM result file is the baseline of one dataset, but there are "
                + datasets.size()
                + "; pass a folder with guidellm_baseline_<name>.json or guidellm_<name>.json files");
      }
      readBaseline(source);
      files.put(datasets.get(0).name(), source);
      return files;
    }
    if (!Files.isDirectory(source)) {
      throw new EvalException("--baseline-results " + source + ": no such file or folder");
    }
    for (EvalDataset d : datasets) {
      Path preferred = source.resolve(EvalOutputs.guidellmFile(d.name(), true));
      Path plain = source.resolve(EvalOutputs.guidellmFile(d.name(), false));
      Path f = Files.isRegularFile(preferred) ? preferred : plain;
      if (!Files.isRegularFile(f)) {
        throw new EvalException(
            "--baseline-results "
                + source
                + ": no baseline for dataset '"
                + d.name()
                + "' (expected "
                + preferred.getFileName()
                + " or "
                + plain.getFileName()
                + ")");
      }
      readBaseline(f);
      files.put(d.name(), f);
    }
    return files;
  }

  private static GuidellmResult readBaseline(Path f) throws EvalException {
    try {
      return GuidellmResult.read(f);
    } catch (IOException | MalformedInputException e) {
      throw new EvalException("--baseline-results: " + e.getMessage(), e);
    }
  }

  private Path metricsPath(EvalDataset d, String when) {
    return settings.output().resolve(EvalOutputs.metricsFile(d.name(), when));
  }

  private static void write(Path file, String text) throws EvalException {
    try {
      AtomicFiles.writeString(file, text);
    } catch (IOException e) {
      throw new EvalException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private void save(EvalResults results) throws EvalException {
    try {
      EvalOutputs.write(settings.output(), results);
    } catch (IOException e) {
      throw new EvalException(
          "cannot write the results into " + settings.output() + ": " + e.getMessage(), e);
    }
    if (results.complete() || results.error() != null) {
      TerminationLog.write(settings.terminationLog(), EvalOutputs.summary(results));
    }
  }
}
