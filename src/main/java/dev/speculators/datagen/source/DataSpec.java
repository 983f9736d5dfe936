package dev.speculators.datagen.source;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * One {@code --data} value: {@code
 * WHAT[,maxSamples=N][,turnDropout=true|false][,revision=REV][,split=NAME]}. {@code WHAT} is a
 * preset ({@code sharegpt}, {@code ultrachat}), an existing local file or directory, or a Hugging
 * Face dataset {@code org/name} with an optional {@code :file} (a path in the repository, or a
 * directory prefix ending in {@code /}).
 */
public record DataSpec(
    String text,
    Kind kind,
    String name,
    Path path,
    String repo,
    String file,
    String revision,
    String split,
    Long maxSamples,
    Boolean turnDropout) {

  /** Where the records come from. */
  public enum Kind {
    PRESET,
    LOCAL,
    HUB
  }

  public static DataSpec parse(String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("--data: empty dataset spec");
    }
    String[] parts = value.split(",");
    String what = parts[0].trim();
    Long maxSamples = null;
    Boolean turnDropout = null;
    String revision = "main";
    String split = null;
    for (int i = 1; i < parts.length; i++) {
      String opt = parts[i].trim();
      int eq = opt.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "--data " + value + ": option '" + opt + "' is not key=value");
      }
      String key = opt.substring(0, eq).trim();
      String v = opt.substring(eq + 1).trim();
      switch (key) {
        case "maxSamples" -> {
          try {
            maxSamples = Long.parseLong(v);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                "--data " + value + ": maxSamples must be a number, got '" + v + "'");
          }
          if (maxSamples < 1) {
            throw new IllegalArgumentException(
                "--data " + value + ": maxSamples must be at least 1");
          }
        }
        case "turnDropout" -> {
          if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException(
                "--data " + value + ": turnDropout must be true or false");
          }
          turnDropout = Boolean.parseBoolean(v);
        }
        case "revision" -> revision = v;
        case "split" -> {
          if (!v.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException(
                "--data " + value + ": split must be a name like train or test_sft");
          }
          split = v;
        }
        default ->
            throw new IllegalArgumentException(
                "--data "
                    + value
                    + ": unknown option '"
                    + key
                    + "' (maxSamples, turnDropout, revision, split)");
      }
    }
    String lower = what.toLowerCase(Locale.ROOT);
    if (DatasetPresets.isPreset(lower) && !Files.exists(Path.of(what))) {
      return new DataSpec(
          value,
          Kind.PRESET,
          lower,
          null,
          DatasetPresets.repo(lower),
          null,
          revision,
          split,
          maxSamples,
          turnDropout);
    }
    Path local = Path.of(what);
    if (Files.exists(local)) {
      if (split != null) {
        throw new IllegalArgumentException(
            "--data " + value + ": split applies to presets and Hub datasets, not to local files");
      }
      return new DataSpec(
          value, Kind.LOCAL, what, local, null, null, null, null, maxSamples, turnDropout);
    }
    String repo = what;
    String file = null;
    int colon = what.indexOf(':');
    if (colon >= 0) {
      repo = what.substring(0, colon);
      file = what.substring(colon + 1);
      if (file.isEmpty()) {
        throw new IllegalArgumentException("--data " + value + ": empty file after ':'");
      }
    }
    if (!repo.matches("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")) {
      throw new IllegalArgumentException(
          "--data "
              + value
              + ": not a preset (sharegpt, ultrachat), not an existing path, and not a"
              + " Hugging Face dataset id org/name[:file]");
    }
    if (file != null && split != null) {
      throw new IllegalArgumentException(
          "--data " + value + ": give either a file after ':' or a split, not both");
    }
    return new DataSpec(
        value, Kind.HUB, what, null, repo, file, revision, split, maxSamples, turnDropout);
  }

  /** Turn dropout for this source: its own option, else the run-wide flag. */
  public boolean turnDropoutOr(boolean runDefault) {
    return turnDropout == null ? runDefault : turnDropout;
  }
}
