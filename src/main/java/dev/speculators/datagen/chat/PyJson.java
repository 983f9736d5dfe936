package dev.speculators.datagen.chat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * JSON text exactly as Python's {@code json.dumps(x, ensure_ascii=False)} writes it: {@code ", "}
 * and {@code ": "} separators (or {@code ","} with an indent), Python's float repr, and Python's
 * string escapes. Chat templates embed tool schemas and tool-call arguments with {@code tojson}
 * (transformers replaces jinja2's HTML-safe filter with plain {@code json.dumps}), and every
 * character of the rendering becomes a token, so the spacing must match.
 */
public final class PyJson {
  private PyJson() {}

  /** {@code json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=sortKeys)}. */
  public static String dumps(Object value, Integer indent, boolean sortKeys) {
    StringBuilder sb = new StringBuilder();
    write(sb, value, indent, sortKeys, 0);
    return sb.toString();
  }

  public static String dumps(Object value) {
    return dumps(value, null, false);
  }

  private static void write(
      StringBuilder sb, Object v, Integer indent, boolean sortKeys, int level) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof Boolean b) {
      sb.append(b ? "true" : "false");
    } else if (v instanceof Double || v instanceof Float) {
      sb.append(floatRepr(((Number) v).doubleValue()));
    } else if (v instanceof BigDecimal d) {
      sb.append(floatRepr(d.doubleValue()));
    } else if (v instanceof Number n) {
      sb.append(n.toString());
    } else if (v instanceof CharSequence s) {
      quote(sb, s.toString());
    } else if (v instanceof Map<?, ?> m) {
      writeMap(sb, m, indent, sortKeys, level);
    } else if (v instanceof Collection<?> c) {
      writeList(sb, new ArrayList<>(c), indent, sortKeys, level);
    } else if (v instanceof Object[] a) {
      writeList(sb, List.of(a), indent, sortKeys, level);
    } else {
      quote(sb, v.toString());
    }
  }

  private static void writeMap(
      StringBuilder sb, Map<?, ?> m, Integer indent, boolean sortKeys, int level) {
    if (m.isEmpty()) {
      sb.append("{}");
      return;
    }
    List<Map.Entry<?, ?>> entries = new ArrayList<>(m.entrySet());
    if (sortKeys) {
      entries.sort((a, b) -> String.valueOf(a.getKey()).compareTo(String.valueOf(b.getKey())));
    }
    sb.append('{');
    boolean first = true;
    for (Map.Entry<?, ?> e : entries) {
      if (!first) {
        sb.append(indent == null ? ", " : ",");
      }
      first = false;
      newline(sb, indent, level + 1);
      quote(sb, keyString(e.getKey()));
      sb.append(": ");
      write(sb, e.getValue(), indent, sortKeys, level + 1);
    }
    newline(sb, indent, level);
    sb.append('}');
  }

  private static void writeList(
      StringBuilder sb, List<?> list, Integer indent, boolean sortKeys, int level) {
    if (list.isEmpty()) {
      sb.append("[]");
      return;
    }
    sb.append('[');
    for (int i = 0; i < list.size(); i++) {
      if (i > 0) {
        sb.append(indent == null ? ", " : ",");
      }
      newline(sb, indent, level + 1);
      write(sb, list.get(i), indent, sortKeys, level + 1);
    }
    newline(sb, indent, level);
    sb.append(']');
  }

  private static String keyString(Object key) {
    if (key == null) {
      return "null";
    }
    if (key instanceof Boolean b) {
      return b ? "true" : "false";
    }
    if (key instanceof Double || key instanceof Float) {
      return floatRepr(((Number) key).doubleValue());
    }
    return key.toString();
  }

  private static void newline(StringBuilder sb, Integer indent, int level) {
    if (indent != null) {
      sb.append('\n');
      sb.append(" ".repeat(indent * level));
    }
  }

  static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  /**
   * Python's {@code repr(float)}: shortest round-trip digits, exponent form outside [1e-4, 1e16).
   */
  static String floatRepr(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "Infinity" : "-Infinity";
    }
    if (d == 0) {
      return (1 / d < 0) ? "-0.0" : "0.0";
    }
    BigDecimal bd = new BigDecimal(Double.toString(d)).stripTrailingZeros();
    String digits = bd.unscaledValue().abs().toString();
    int exponent = digits.length() - 1 - bd.scale(); // position of the leading digit
    String sign = d < 0 ? "-" : "";
    if (exponent < -4 || exponent >= 16) {
      String mantissa =
          digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      String exp = String.format("%02d", Math.abs(exponent));
      return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + exp;
    }
    String plain = bd.abs().toPlainString();
    if (!plain.contains(".")) {
      plain = plain + ".0";
    }
    return sign + plain;
  }
}
