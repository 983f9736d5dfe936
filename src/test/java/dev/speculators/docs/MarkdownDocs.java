package dev.speculators.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The user documentation as the tests read it: the top-level README and every page under {@code
 * docs/}, split into prose lines (links, headings) and fenced code blocks (commands).
 */
final class MarkdownDocs {

  /** A line of a Markdown file, numbered from 1 as an editor shows it. */
  record Line(Path file, int number, String text) {
    String where() {
      return file + ":" + number;
    }
  }

  /** A fenced code block: its info string ({@code bash}, {@code yaml}, ...) and its lines. */
  record CodeBlock(Path file, String info, List<Line> lines) {}

  /** An inline link or image target of a prose line. */
  record Link(Line line, String target) {}

  private static final Pattern FENCE = Pattern.compile("^\\s*(`{3,}|~{3,})\\s*([^`\\s]*).*$");
  private static final Pattern INLINE_CODE = Pattern.compile("(`+)(?:(?!\\1).)+?\\1");
  private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]+)>?");
  private static final Pattern HEADING = Pattern.compile("^ {0,3}(#{1,6})\\s+(.*?)\\s*#*\\s*$");
  private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

  private MarkdownDocs() {}

  /** README.md and docs/**.md of the repository, in a stable order. */
  static List<Path> files(Path root) {
    List<Path> files = new ArrayList<>();
    files.add(root.resolve("README.md"));
    Path docs = root.resolve("docs");
    if (Files.isDirectory(docs)) {
      try (Stream<Path> walk = Files.walk(docs)) {
        walk.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return files;
  }

  static List<String> read(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The lines outside fenced code blocks. */
  static List<Line> prose(Path file, List<String> text) {
    List<Line> out = new ArrayList<>();
    String fence = null;
    for (int i = 0; i < text.size(); i++) {
      String s = text.get(i);
      Matcher m = FENCE.matcher(s);
      if (fence == null && m.matches()) {
        fence = m.group(1);
      } else if (fence != null && m.matches() && m.group(1).startsWith(fence)) {
        fence = null;
      } else if (fence == null) {
        out.add(new Line(file, i + 1, s));
      }
    }
    return out;
  }

  /** The fenced code blocks, in order. */
  static List<CodeBlock> codeBlocks(Path file, List<String> text) {
    List<CodeBlock> out = new ArrayList<>();
    String fence = null;
    String info = null;
    List<Line> lines = null;
    for (int i = 0; i < text.size(); i++) {
      String s = text.get(i);
      Matcher m = FENCE.matcher(s);
      if (fence == null && m.matches()) {
        fence = m.group(1);
        info = m.group(2);
        lines = new ArrayList<>();
      } else if (fence != null && m.matches() && m.group(1).startsWith(fence)) {
        out.add(new CodeBlock(file, info, List.copyOf(lines)));
        fence = null;
      } else if (fence != null) {
        lines.add(new Line(file, i + 1, s));
      }
    }
    return out;
  }

  /** Inline links of the prose lines; link syntax inside inline code does not count. */
  static List<Link> links(List<Line> prose) {
    List<Link> out = new ArrayList<>();
    for (Line line : prose) {
      Matcher m = LINK.matcher(INLINE_CODE.matcher(line.text()).replaceAll(""));
      while (m.find()) {
        out.add(new Link(line, m.group(1)));
      }
    }
    return out;
  }

  static boolean isExternal(String target) {
    return SCHEME.matcher(target).find() || target.startsWith("//");
  }

  /** The anchors GitHub gives the headings of a page, duplicates numbered -1, -2, ... */
  static Set<String> anchors(List<Line> prose) {
    Set<String> out = new LinkedHashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    for (Line line : prose) {
      Matcher m = HEADING.matcher(line.text());
      if (!m.matches()) {
        continue;
      }
      String slug = slug(m.group(2));
      int n = seen.merge(slug, 1, Integer::sum) - 1;
      out.add(n == 0 ? slug : slug + "-" + n);
    }
    return out;
  }

  /**
   * GitHub's heading anchor: the rendered text (markup removed, link text kept) in lower case,
   * without punctuation, spaces turned into hyphens.
   */
  static String slug(String heading) {
    String linked = heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
    // emphasis markers count only outside code spans: `eagle_aux_ids` keeps its underscores
    StringBuilder plain = new StringBuilder();
    String[] parts = linked.split("`", -1);
    for (int i = 0; i < parts.length; i++) {
      plain.append(
          i % 2 == 1
              ? parts[i]
              : parts[i].replaceAll("(\\*\\*|__|\\*|(?<![\\p{Alnum}])_)(\\S(?:.*?\\S)?)\\1", "$2"));
    }
    String text = plain.toString();
    StringBuilder out = new StringBuilder();
    text.toLowerCase(Locale.ROOT)
        .codePoints()
        .forEach(
            c -> {
              if (c == ' ') {
                out.append('-');
              } else if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                out.appendCodePoint(c);
              }
            });
    return out.toString();
  }
}
