package dev.speculators.docs;

import java.util.ArrayList;
import java.util.List;

/**
 * One logical shell line of a code block: lines ending in a backslash joined with the next, each
 * line's trailing comment dropped first (docs annotate continued lines with comments).
 */
record ShellLine(int number, String text) {

  static List<ShellLine> join(List<MarkdownDocs.Line> lines) {
    List<ShellLine> out = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    int start = -1;
    for (MarkdownDocs.Line line : lines) {
      String s = ShellWords.stripComment(line.text()).stripTrailing();
      if (start < 0) {
        start = line.number();
      }
      boolean continued = s.endsWith("\\");
      text.append(continued ? s.substring(0, s.length() - 1) : s).append(' ');
      if (!continued) {
        out.add(new ShellLine(start, text.toString().strip()));
        text.setLength(0);
        start = -1;
      }
    }
    if (start >= 0) {
      out.add(new ShellLine(start, text.toString().strip()));
    }
    return out;
  }
}
