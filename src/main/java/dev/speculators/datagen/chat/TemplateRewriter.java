package dev.speculators.datagen.chat;

/**
 * Rewrites the few jinja2 expressions that Jinjava parses differently or not at all, touching only
 * the code inside {@code {{ }}} and {@code {% %}} (never text or string literals):
 *
 * <ul>
 *   <li>{@code x[::-1]} (reversed slice, a syntax error in Jinjava) becomes {@code
 *       (x|reverse|list)};
 *   <li>{@code f(...)[-1]} (negative index on a call result) becomes {@code (f(...)|last)};
 *   <li>keyword arguments get parentheses around their value: {@code namespace(i=messages|length -
 *       1)} otherwise parses as {@code (i=messages|length) - 1} in Jinjava.
 * </ul>
 *
 * Method calls on strings are not rewritten: {@link PythonStringMethods} gives them Python
 * semantics at evaluation time.
 */
final class TemplateRewriter {
  private TemplateRewriter() {}

  static String rewrite(String template) {
    StringBuilder out = new StringBuilder(template.length() + 64);
    int i = 0;
    int n = template.length();
    while (i < n) {
      int open = nextTagOpen(template, i);
      if (open < 0) {
        out.append(template, i, n);
        break;
      }
      out.append(template, i, open + 2);
      boolean comment = template.charAt(open + 1) == '#';
      String close = template.charAt(open + 1) == '{' ? "}}" : comment ? "#}" : "%}";
      int end = comment ? template.indexOf(close, open + 2) : findClose(template, open + 2, close);
      if (end < 0) {
        out.append(template, open + 2, n);
        break;
      }
      String body = template.substring(open + 2, end);
      out.append(comment ? body : rewriteExpression(body));
      out.append(close);
      i = end + 2;
    }
    return out.toString();
  }

  private static int nextTagOpen(String t, int from) {
    for (int i = from; i + 1 < t.length(); i++) {
      if (t.charAt(i) == '{') {
        char c = t.charAt(i + 1);
        if (c == '{' || c == '%' || c == '#') {
          return i;
        }
      }
    }
    return -1;
  }

  private static int findClose(String t, int from, String close) {
    char quote = 0;
    for (int i = from; i < t.length(); i++) {
      char c = t.charAt(i);
      if (quote != 0) {
        if (c == '\\') {
          i++;
        } else if (c == quote) {
          quote = 0;
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (t.startsWith(close, i)) {
        return i;
      }
    }
    return -1;
  }

  static String rewriteExpression(String body) {
    String b = reverseSlices(body);
    b = negativeIndexAfterCall(b);
    b = parenthesizeKeywordArguments(b);
    return b;
  }

  /** {@code name.attr[::-1]} becomes {@code (name.attr|reverse|list)}. */
  private static String reverseSlices(String b) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (true) {
      int at = indexOutsideStrings(b, "[::-1]", i);
      if (at < 0) {
        out.append(b.substring(i));
        return out.toString();
      }
      int start = primaryStart(b, at);
      out.append(b, i, start).append('(').append(b, start, at).append("|reverse|list)");
      i = at + 6;
    }
  }

  /** {@code expr(...)[-1]} becomes {@code (expr(...)|last)}. */
  private static String negativeIndexAfterCall(String b) {
    StringBuilder out = new StringBuilder(b);
    int from = 0;
    while (true) {
      int at = indexOutsideStrings(out, ")[-1]", from);
      if (at < 0) {
        return out.toString();
      }
      int start = primaryStart(out, at + 1);
      out.replace(at + 1, at + 5, "|last)");
      out.insert(start, '(');
      from = at + 7;
    }
  }

  /** Inside calls, {@code name=value} becomes {@code name=(value)}. */
  private static String parenthesizeKeywordArguments(String b) {
    StringBuilder out = new StringBuilder();
    int depth = 0;
    char quote = 0;
    int n = b.length();
    int[] closeAt = new int[n + 1];
    java.util.Arrays.fill(closeAt, 0);
    for (int i = 0; i < n; i++) {
      char c = b.charAt(i);
      if (quote != 0) {
        out.append(c);
        if (c == '\\' && i + 1 < n) {
          out.append(b.charAt(++i));
        } else if (c == quote) {
          quote = 0;
        }
        continue;
      }
      if (c == '\'' || c == '"') {
        quote = c;
        out.append(c);
        continue;
      }
      if (c == '(' || c == '[' || c == '{') {
        depth++;
      } else if (c == ')' || c == ']' || c == '}') {
        depth--;
      }
      out.append(c);
      if (c == '=' && depth > 0 && isKeywordAssignment(b, i)) {
        int valueEnd = endOfArgument(b, i + 1);
        out.append('(')
            .append(parenthesizeKeywordArguments(b.substring(i + 1, valueEnd)))
            .append(')');
        i = valueEnd - 1;
      }
    }
    return out.toString();
  }

  /**
   * {@code =} that is not part of {@code ==, !=, <=, >=} and follows {@code (name} or {@code ,
   * name}.
   */
  private static boolean isKeywordAssignment(String b, int eq) {
    if (eq + 1 < b.length() && b.charAt(eq + 1) == '=') {
      return false;
    }
    int j = eq - 1;
    while (j >= 0 && b.charAt(j) == ' ') {
      j--;
    }
    if (j < 0 || "=!<>".indexOf(b.charAt(j)) >= 0) {
      return false;
    }
    int nameEnd = j;
    while (j >= 0 && (Character.isLetterOrDigit(b.charAt(j)) || b.charAt(j) == '_')) {
      j--;
    }
    if (j == nameEnd) {
      return false;
    }
    while (j >= 0 && Character.isWhitespace(b.charAt(j))) {
      j--;
    }
    return j >= 0 && (b.charAt(j) == '(' || b.charAt(j) == ',');
  }

  private static int endOfArgument(String b, int from) {
    int depth = 0;
    char quote = 0;
    for (int i = from; i < b.length(); i++) {
      char c = b.charAt(i);
      if (quote != 0) {
        if (c == '\\') {
          i++;
        } else if (c == quote) {
          quote = 0;
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '(' || c == '[' || c == '{') {
        depth++;
      } else if (c == ')' || c == ']' || c == '}') {
        if (depth == 0) {
          return i;
        }
        depth--;
      } else if (c == ',' && depth == 0) {
        return i;
      }
    }
    return b.length();
  }

  private static int indexOutsideStrings(CharSequence b, String needle, int from) {
    char quote = 0;
    for (int i = 0; i < b.length(); i++) {
      char c = b.charAt(i);
      if (quote != 0) {
        if (c == '\\') {
          i++;
        } else if (c == quote) {
          quote = 0;
        }
        continue;
      }
      if (c == '\'' || c == '"') {
        quote = c;
      } else if (i >= from && b.toString().startsWith(needle, i)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Start of the primary expression (name, attributes, calls, subscripts, string) ending before
   * {@code end}.
   */
  private static int primaryStart(CharSequence s, int end) {
    int i = end - 1;
    while (i >= 0) {
      char c = s.charAt(i);
      if (Character.isLetterOrDigit(c) || c == '_' || c == '.') {
        i--;
      } else if (c == ')' || c == ']') {
        char openC = c == ')' ? '(' : '[';
        int depth = 0;
        for (; i >= 0; i--) {
          char d = s.charAt(i);
          if (d == c) {
            depth++;
          } else if (d == openC && --depth == 0) {
            break;
          }
        }
        i--;
      } else if (c == '\'' || c == '"') {
        i--;
        while (i >= 0 && s.charAt(i) != c) {
          i--;
        }
        i--;
      } else {
        break;
      }
    }
    return i + 1;
  }
}
