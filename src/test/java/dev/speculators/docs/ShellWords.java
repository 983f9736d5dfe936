package dev.speculators.docs;

import java.util.ArrayList;
import java.util.List;

/** Just enough of the shell's word splitting for documented command lines: quotes and comments. */
final class ShellWords {
  private ShellWords() {}

  /**
   * The words of a line up to a comment (a # that starts a word outside quotes); quotes group and
   * are removed, a backslash escapes the next character. A backslash that ends the line (before
   * blanks or a comment) is kept, so that the caller sees the continuation.
   */
  static List<String> split(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else if (c == '\\' && quote == '"' && i + 1 < line.length()) {
          word.append(line.charAt(++i));
        } else {
          word.append(c);
        }
      } else if (c == '#' && !inWord) {
        break;
      } else if (c == '\'' || c == '"') {
        quote = c;
        inWord = true;
      } else if (c == '\\' && line.substring(i + 1).matches("\\s*(#.*)?")) {
        // a continuation, even with a comment after it (how the docs annotate long commands)
        word.append(c);
        inWord = true;
        break;
      } else if (c == '\\' && i + 1 < line.length()) {
        word.append(line.charAt(++i));
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else {
        word.append(c);
        inWord = true;
      }
    }
    if (inWord) {
      words.add(word.toString());
    }
    return words;
  }
}
