package dev.speculators.eval;

import java.nio.file.Path;

/**
 * One dataset to benchmark, resolved from a {@code --data} value.
 *
 * @param name unique, file-name safe; names the outputs ({@code guidellm_<name>.json}) and the rows
 *     of {@code acceptance.csv}
 * @param spec the {@code --data} value it came from
 * @param kind where the prompts come from
 * @param file the local file for {@link Kind#LOCAL_FILE} and {@link Kind#HUB_FILE}, else null
 * @param builtin the value handed to GuideLLM as is for {@link Kind#GUIDELLM}, else null
 */
public record EvalDataset(String name, String spec, Kind kind, Path file, String builtin) {

  /** Where the prompts come from. */
  public enum Kind {
    /** A file on a local path or volume. */
    LOCAL_FILE,
    /** A file of a Hugging Face dataset repository, downloaded into the Hub cache. */
    HUB_FILE,
    /** A GuideLLM built-in or synthetic data specification, passed through. */
    GUIDELLM
  }

  public static EvalDataset file(String name, String spec, Kind kind, Path file) {
    return new EvalDataset(name, spec, kind, file, null);
  }

  public static EvalDataset guidellm(String name, String spec) {
    return new EvalDataset(name, spec, Kind.GUIDELLM, null, spec);
  }
}
