package dev.speculators.datagen.chat;

import com.hubspot.jinjava.objects.SafeString;
import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Gives strings inside Jinjava templates the Python {@code str} methods that chat templates call
 * ({@code content.strip('\n')}, {@code .split('</think>')}, {@code .startswith(...)}, ...).
 *
 * <p>Without it Jinjava resolves such calls against {@link String}'s Java methods: {@code strip}
 * exists there without arguments only, {@code startswith} not at all, and Jinjava turns a failed
 * call into an empty value instead of an error, so the rendering is silently wrong. Placing this
 * resolver first makes the Python semantics win for every method listed in {@link #invoke}.
 *
 * <p>Whitespace is Python's ({@link #isWhitespace}), not Java's: {@code str.strip()} removes
 * U+0085, U+00A0, U+2007 and U+202F, which {@link Character#isWhitespace} does not count.
 */
final class PythonStringMethods extends ELResolver {

  @Override
  public Object invoke(
      ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
    if (!(base instanceof String || base instanceof SafeString) || method == null) {
      return null;
    }
    String s = base.toString();
    Object[] p = params == null ? new Object[0] : params;
    Object result;
    switch (method.toString()) {
      case "strip" -> result = strip(s, charsArg(p), true, true);
      case "lstrip" -> result = strip(s, charsArg(p), true, false);
      case "rstrip" -> result = strip(s, charsArg(p), false, true);
      case "split" -> result = split(s, optString(p, 0), optInt(p, 1, -1));
      case "rsplit" -> result = rsplit(s, optString(p, 0), optInt(p, 1, -1));
      case "splitlines" -> result = splitlines(s, p.length > 0 && Boolean.TRUE.equals(p[0]));
      case "startswith" -> result = matchesAffix(s, p, true);
      case "endswith" -> result = matchesAffix(s, p, false);
      case "upper" -> result = s.toUpperCase(Locale.ROOT);
      case "lower" -> result = s.toLowerCase(Locale.ROOT);
      case "title" -> result = title(s);
      case "capitalize" ->
          result =
              s.isEmpty()
                  ? s
                  : s.substring(0, 1).toUpperCase(Locale.ROOT)
                      + s.substring(1).toLowerCase(Locale.ROOT);
      case "replace" -> result = replace(s, str(p, 0), str(p, 1), optInt(p, 2, -1));
      case "find" -> result = (long) s.indexOf(str(p, 0));
      case "rfind" -> result = (long) s.lastIndexOf(str(p, 0));
      case "count" -> result = (long) count(s, str(p, 0));
      case "join" -> result = join(s, p);
      case "isdigit" -> result = !s.isEmpty() && s.chars().allMatch(Character::isDigit);
      case "isspace" -> result = !s.isEmpty() && s.chars().allMatch(c -> isWhitespace((char) c));
      default -> {
        return null;
      }
    }
    context.setPropertyResolved(true);
    return result;
  }

  static String strip(String s, String chars, boolean left, boolean right) {
    int start = 0;
    int end = s.length();
    if (left) {
      while (start < end && isStripped(s.charAt(start), chars)) {
        start++;
      }
    }
    if (right) {
      while (end > start && isStripped(s.charAt(end - 1), chars)) {
        end--;
      }
    }
    return s.substring(start, end);
  }

  private static boolean isStripped(char c, String chars) {
    return chars == null ? isWhitespace(c) : chars.indexOf(c) >= 0;
  }

  /**
   * Python's {@code str.isspace()} for one character: the characters of Unicode category Zs or
   * bidirectional class WS, B or S. All of them are in the Basic Multilingual Plane.
   */
  static boolean isWhitespace(char c) {
    return switch (c) {
      case '\t', '\n', '\u000b', '\f', '\r', '\u001c', '\u001d', '\u001e', '\u001f', ' ' -> true;
      case '\u0085', '\u00a0', '\u1680', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000' -> true;
      default -> c >= '\u2000' && c <= '\u200a';
    };
  }

  /** Python's line boundaries for {@code str.splitlines} ({@code \r\n} counts as one). */
  private static boolean isLineBreak(char c) {
    return switch (c) {
      case '\n', '\r', '\u000b', '\f', '\u001c', '\u001d', '\u001e', '\u0085', '\u2028', '\u2029' ->
          true;
      default -> false;
    };
  }

  static List<String> splitlines(String s, boolean keepEnds) {
    List<String> out = new ArrayList<>();
    int start = 0;
    int i = 0;
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      if (!isLineBreak(c)) {
        i++;
        continue;
      }
      int end = i + (c == '\r' && i + 1 < n && s.charAt(i + 1) == '\n' ? 2 : 1);
      out.add(s.substring(start, keepEnds ? end : i));
      start = i = end;
    }
    if (start < n) {
      out.add(s.substring(start));
    }
    return out;
  }

  static List<String> split(String s, String sep, int maxSplit) {
    List<String> out = new ArrayList<>();
    if (sep == null) {
      // Python: runs of whitespace, no empty strings at the ends
      int i = 0;
      int n = s.length();
      while (i < n) {
        while (i < n && isWhitespace(s.charAt(i))) {
          i++;
        }
        if (i >= n) {
          break;
        }
        if (maxSplit >= 0 && out.size() == maxSplit) {
          out.add(s.substring(i));
          return out;
        }
        int j = i;
        while (j < n && !isWhitespace(s.charAt(j))) {
          j++;
        }
        out.add(s.substring(i, j));
        i = j;
      }
      return out;
    }
    if (sep.isEmpty()) {
      throw new IllegalArgumentException("empty separator");
    }
    int from = 0;
    while (maxSplit < 0 || out.size() < maxSplit) {
      int at = s.indexOf(sep, from);
      if (at < 0) {
        break;
      }
      out.add(s.substring(from, at));
      from = at + sep.length();
    }
    out.add(s.substring(from));
    return out;
  }

  static List<String> rsplit(String s, String sep, int maxSplit) {
    if (maxSplit < 0) {
      return split(s, sep, maxSplit);
    }
    if (sep == null) {
      // Python: runs of whitespace from the right; the rest keeps its leading whitespace
      List<String> out = new ArrayList<>();
      int end = s.length();
      while (end > 0) {
        while (end > 0 && isWhitespace(s.charAt(end - 1))) {
          end--;
        }
        if (end == 0) {
          break;
        }
        if (out.size() == maxSplit) {
          out.add(0, s.substring(0, end));
          return out;
        }
        int j = end;
        while (j > 0 && !isWhitespace(s.charAt(j - 1))) {
          j--;
        }
        out.add(0, s.substring(j, end));
        end = j;
      }
      return out;
    }
    List<String> out = new ArrayList<>();
    int end = s.length();
    while (out.size() < maxSplit) {
      int at = s.lastIndexOf(sep, end - sep.length());
      if (at < 0) {
        break;
      }
      out.add(0, s.substring(at + sep.length(), end));
      end = at;
    }
    out.add(0, s.substring(0, end));
    return out;
  }

  private static boolean matchesAffix(String s, Object[] p, boolean prefix) {
    if (p.length == 0) {
      throw new IllegalArgumentException(
          (prefix ? "startswith" : "endswith") + " takes one argument");
    }
    List<String> options = new ArrayList<>();
    if (p[0] instanceof Collection<?> c) {
      c.forEach(o -> options.add(String.valueOf(o)));
    } else {
      options.add(String.valueOf(p[0]));
    }
    for (String o : options) {
      if (prefix ? s.startsWith(o) : s.endsWith(o)) {
        return true;
      }
    }
    return false;
  }

  private static String title(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    boolean prevCased = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      sb.append(prevCased ? Character.toLowerCase(c) : Character.toUpperCase(c));
      prevCased = Character.isLetter(c);
    }
    return sb.toString();
  }

  private static String replace(String s, String old, String repl, int count) {
    if (count < 0) {
      return s.replace(old, repl);
    }
    StringBuilder sb = new StringBuilder();
    int from = 0;
    for (int n = 0; n < count; n++) {
      int at = s.indexOf(old, from);
      if (at < 0) {
        break;
      }
      sb.append(s, from, at).append(repl);
      from = at + old.length();
    }
    return sb.append(s.substring(from)).toString();
  }

  private static int count(String s, String sub) {
    if (sub.isEmpty()) {
      return s.length() + 1;
    }
    int n = 0;
    for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
      n++;
    }
    return n;
  }

  private static String join(String sep, Object[] p) {
    if (p.length != 1 || !(p[0] instanceof Iterable<?> items)) {
      throw new IllegalArgumentException("join takes one iterable argument");
    }
    StringBuilder sb = new StringBuilder();
    Iterator<?> it = items.iterator();
    while (it.hasNext()) {
      sb.append(it.next());
      if (it.hasNext()) {
        sb.append(sep);
      }
    }
    return sb.toString();
  }

  private static String charsArg(Object[] p) {
    return p.length == 0 || p[0] == null ? null : p[0].toString();
  }

  private static String optString(Object[] p, int i) {
    return p.length <= i || p[i] == null ? null : p[i].toString();
  }

  private static String str(Object[] p, int i) {
    if (p.length <= i || p[i] == null) {
      throw new IllegalArgumentException("missing string argument " + (i + 1));
    }
    return p[i].toString();
  }

  private static int optInt(Object[] p, int i, int dflt) {
    return p.length <= i || p[i] == null ? dflt : ((Number) p[i]).intValue();
  }

  @Override
  public Object getValue(ELContext context, Object base, Object property) {
    return null;
  }

  @Override
  public Class<?> getType(ELContext context, Object base, Object property) {
    return null;
  }

  @Override
  public void setValue(ELContext context, Object base, Object property, Object value) {}

  @Override
  public boolean isReadOnly(ELContext context, Object base, Object property) {
    return true;
  }

  @Override
  public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
    return null;
  }

  @Override
  public Class<?> getCommonPropertyType(ELContext context, Object base) {
    return null;
  }
}
