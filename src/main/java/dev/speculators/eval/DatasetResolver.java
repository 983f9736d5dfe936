package dev.speculators.eval;

import dev.speculators.io.hub.HfHub;
import dev.speculators.io.hub.RepoType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Turns {@code --data} values into datasets, with the rules of the upstream speculators evaluation:
 *
 * <ul>
 *   <li>an existing local path (a value containing {@code /}, or a data file in the working
 *       directory): a {@code .jsonl}, {@code .json}, {@code .csv} or {@code .parquet} file is one
 *       dataset, a directory gives one dataset per {@code *.jsonl} file in it (recursively,
 *       sorted);
 *   <li>{@code org/dataset:file.jsonl} (or {@code .json}, {@code .csv}, {@code .parquet}): that
 *       file of a Hugging Face dataset, downloaded through the Hub cache; when it does not exist
 *       the error lists the repository's {@code .jsonl} files;
 *   <li>{@code org/dataset}: every {@code .jsonl} file of the repository, sorted, each one
 *       benchmarked separately;
 *   <li>anything else: a GuideLLM built-in or synthetic data spec, passed through.
 * </ul>
 */
public final class DatasetResolver {
  private static final Pattern HUB_FILE = Pattern.compile("([\\w.\\-]+/[\\w.\\-]+):(.+)");
  private static final Pattern HUB_REPO = Pattern.compile("[\\w.\\-]+/[\\w.\\-]+");

  /** The name of the all-datasets row in the outputs; no dataset gets it. */
  public static final String POOLED = "pooled";

  private final HfHub hub;
  private final Consumer<String> log;

  public DatasetResolver(HfHub hub, Consumer<String> log) {
    this.hub = hub;
    this.log = log;
  }

  /** All datasets of {@code specs}, in order, with unique names. */
  public List<EvalDataset> resolve(List<String> specs) throws EvalException {
    List<EvalDataset> out = new ArrayList<>();
    Set<String> names = new HashSet<>(Set.of(POOLED));
    for (String spec : specs) {
      for (EvalDataset d : resolveOne(spec.strip())) {
        String unique = d.name();
        for (int n = 2; !names.add(unique); n++) {
          unique = d.name() + "_" + n;
        }
        out.add(new EvalDataset(unique, d.spec(), d.kind(), d.file(), d.builtin()));
      }
    }
    return out;
  }

  private List<EvalDataset> resolveOne(String spec) throws EvalException {
    if (spec.isEmpty()) {
      throw new EvalException("--data: empty value");
    }
    Path local = Path.of(spec);
    boolean looksLikePath = spec.contains("/") || hasDataExtension(spec);
    if (looksLikePath && Files.exists(local)) {
      return Files.isDirectory(local)
          ? localDirectory(spec, local)
          : List.of(localFile(spec, local));
    }
    Matcher file = HUB_FILE.matcher(spec);
    if (file.matches()) {
      return List.of(hubFile(spec, file.group(1), file.group(2)));
    }
    if (HUB_REPO.matcher(spec).matches()) {
      return hubRepository(spec);
    }
    if (spec.startsWith("/") || spec.startsWith("./") || spec.startsWith("../")) {
      throw new EvalException("--data " + spec + ": no such file or directory");
    }
    return List.of(EvalDataset.guidellm(safeName(spec), spec));
  }

  private EvalDataset localFile(String spec, Path file) throws EvalException {
    String fileName = file.getFileName().toString();
    if (!hasDataExtension(fileName)) {
      throw new EvalException(
          "--data " + spec + ": unsupported file type; use .jsonl, .json, .csv or .parquet");
    }
    return EvalDataset.file(
        baseName(fileName), spec, EvalDataset.Kind.LOCAL_FILE, file.toAbsolutePath());
  }

  private List<EvalDataset> localDirectory(String spec, Path dir) throws EvalException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files =
          walk.filter(Files::isRegularFile)
              .filter(p -> p.toString().endsWith(".jsonl"))
              .sorted()
              .toList();
    } catch (IOException e) {
      throw new EvalException(
          "--data " + spec + ": cannot list the directory: " + e.getMessage(), e);
    }
    if (files.isEmpty()) {
      throw new EvalException("--data " + spec + ": the directory has no .jsonl files");
    }
    List<EvalDataset> out = new ArrayList<>();
    for (Path f : files) {
      out.add(
          EvalDataset.file(
              nameFor(dir.relativize(f).toString()),
              spec,
              EvalDataset.Kind.LOCAL_FILE,
              f.toAbsolutePath()));
    }
    return out;
  }

  private EvalDataset hubFile(String spec, String repo, String fileName) throws EvalException {
    if (!hasDataExtension(fileName)) {
      throw new EvalException(
          "--data " + spec + ": unsupported file type; use .jsonl, .json, .csv or .parquet");
    }
    List<String> files = listing(spec, repo);
    if (!files.contains(fileName)) {
      List<String> jsonl = files.stream().filter(f -> f.endsWith(".jsonl")).toList();
      throw new EvalException(
          "--data "
              + spec
              + ": dataset '"
              + repo
              + "' has no file '"
              + fileName
              + "'; its .jsonl files: "
              + (jsonl.isEmpty() ? "(none)" : String.join(", ", jsonl)));
    }
    return EvalDataset.file(
        nameFor(fileName), spec, EvalDataset.Kind.HUB_FILE, download(spec, repo, fileName));
  }

  private List<EvalDataset> hubRepository(String spec) throws EvalException {
    List<String> files = listing(spec, spec);
    List<String> jsonl = files.stream().filter(f -> f.endsWith(".jsonl")).sorted().toList();
    if (jsonl.isEmpty()) {
      throw new EvalException(
          "--data "
              + spec
              + ": dataset '"
              + spec
              + "' has no .jsonl files (it has: "
              + String.join(", ", files.stream().limit(20).toList())
              + (files.size() > 20 ? ", ..." : "")
              + "); name one file as "
              + spec
              + ":FILE");
    }
    log.accept(
        "dataset " + spec + ": " + jsonl.size() + " .jsonl files: " + String.join(", ", jsonl));
    List<EvalDataset> out = new ArrayList<>();
    for (String f : jsonl) {
      out.add(
          EvalDataset.file(nameFor(f), spec, EvalDataset.Kind.HUB_FILE, download(spec, spec, f)));
    }
    return out;
  }

  private List<String> listing(String spec, String repo) throws EvalException {
    try {
      return hub.listFiles(RepoType.DATASET, repo, null);
    } catch (IOException e) {
      throw new EvalException("--data " + spec + ": " + e.getMessage(), e);
    }
  }

  private Path download(String spec, String repo, String file) throws EvalException {
    try {
      return hub.download(RepoType.DATASET, repo, null, file);
    } catch (IOException e) {
      throw new EvalException("--data " + spec + ": " + e.getMessage(), e);
    }
  }

  private static boolean hasDataExtension(String name) {
    return GuidellmData.isDataFile(name);
  }

  private static String baseName(String fileName) {
    int dot = fileName.lastIndexOf('.');
    return safeName(dot > 0 ? fileName.substring(0, dot) : fileName);
  }

  /**
   * A relative path in a repository or directory as a dataset name: {@code data/math.jsonl ->
   * data_math}.
   */
  private static String nameFor(String relative) {
    return baseName(relative.replace('\\', '/').replace('/', '_'));
  }

  static String safeName(String s) {
    String name = s.replaceAll("[^A-Za-z0-9._\\-]+", "_").replaceAll("^[._]+|_+$", "");
    if (name.length() > 80) {
      name = name.substring(0, 80);
    }
    return name.isEmpty() ? "data" : name;
  }
}
