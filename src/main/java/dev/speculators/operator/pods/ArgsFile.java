package dev.speculators.operator.pods;

import java.util.List;

/**
 * Writes arguments as a picocli {@code @}-file: one argument per line, quoted where picocli would
 * otherwise split it or read a comment. The worker expands the file itself ({@code
 * datagen @/etc/speculators/datagen.args}), so arguments never pass through a shell.
 */
public final class ArgsFile {
  private ArgsFile() {}

  /** The file content for {@code args}. */
  public static String format(List<String> args) {
    StringBuilder out = new StringBuilder();
    for (String a : args) {
      out.append(quote(a)).append('\n');
    }
    return out.toString();
  }

  static String quote(String arg) {
    boolean plain =
        !arg.isEmpty()
            && arg.chars()
                .noneMatch(
                    ch ->
                        Character.isWhitespace(ch)
                            || ch == '"'
                            || ch == '\''
                            || ch == '\\'
                            || ch == '#'
                            || ch == '@' && arg.indexOf('@') == 0);
    if (plain) {
      return arg;
    }
    return '"' + arg.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
