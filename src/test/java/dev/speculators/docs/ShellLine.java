package dev.speculators.docs;

import java.util.ArrayList;
import java.util.List;

/**
 * One logical shell line of a code block, as words: a line whose last word ends in a backslash goes
 * on with the next line (docs put comments after the backslash; they are dropped first).
 */
record ShellLine(int number, List<String> words) {

  static List<ShellLine> join(List<MarkdownDocs.Line> lines) {
    List<ShellLine> out = new ArrayList<>();
    List<String> words = new ArrayList<>();
    int start = -1;
    for (MarkdownDocs.Line line : lines) {
      if (start < 0) {
        start = line.number();
      }
      List<String> these = ShellWords.split(line.text());
      String last = these.isEmpty() ? "" : these.get(these.size() - 1);
      boolean continued = last.endsWith("\\");
      if (continued) {
        these = new ArrayList<>(these.subList(0, these.size() - 1));
        if (last.length() > 1) {
          these.add(last.substring(0, last.length() - 1));
        }
      }
      words.addAll(these);
      if (!continued) {
        out.add(new ShellLine(start, List.copyOf(words)));
        words.clear();
        start = -1;
      }
    }
    if (start >= 0) {
      out.add(new ShellLine(start, List.copyOf(words)));
    }
    return out;
  }
}
