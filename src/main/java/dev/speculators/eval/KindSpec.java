package dev.speculators.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A typed GuideLLM 0.7 option value ({@code --backend}, {@code --profile}, {@code --data}, ...):
 * written as {@code kind=x,key=value,dotted.key=value} when every value reads back as itself, and
 * as the equivalent JSON object otherwise, which GuideLLM also accepts.
 *
 * <p>GuideLLM splits the {@code key=value} form at commas and reads each value as YAML 1.1 ({@code
 * yaml.safe_load}), so a string value goes in that form only when YAML keeps it a string: no comma,
 * space or other YAML syntax, not {@code null}/{@code true}/{@code on}/..., and not starting with a
 * digit or sign (a number, a date, {@code 1:20}). A {@link #NULL} value is YAML's {@code null}.
 */
final class KindSpec {
  /** A value that GuideLLM reads as None (an explicit null, unlike leaving the key out). */
  static final Object NULL = new Object();

  private static final Pattern PLAIN = Pattern.compile("[A-Za-z_/][A-Za-z0-9_./:+@~\\-]*");
  private static final Set<String> YAML_WORDS =
      Set.of("null", "true", "false", "yes", "no", "on", "off", "y", "n");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, Object> entries = new LinkedHashMap<>();

  private KindSpec() {}

  static KindSpec of(String kind) {
    return new KindSpec().with("kind", kind);
  }

  /** Adds {@code key=value} unless {@code value} is null. */
  KindSpec with(String key, Object value) {
    if (value != null) {
      entries.put(key, value);
    }
    return this;
  }

  String toCli() {
    boolean plain = entries.values().stream().allMatch(KindSpec::plain);
    if (plain) {
      StringBuilder b = new StringBuilder();
      entries.forEach(
          (k, v) -> b.append(b.length() == 0 ? "" : ",").append(k).append('=').append(text(v)));
      return b.toString();
    }
    ObjectNode root = JSON.createObjectNode();
    entries.forEach((k, v) -> put(root, k, v));
    return root.toString();
  }

  private static boolean plain(Object v) {
    if (v == NULL || v instanceof Number || v instanceof Boolean) {
      return true;
    }
    String s = String.valueOf(v);
    return PLAIN.matcher(s).matches()
        && !s.endsWith(":")
        && !YAML_WORDS.contains(s.toLowerCase(java.util.Locale.ROOT));
  }

  private static String text(Object v) {
    return v == NULL ? "null" : format(v);
  }

  private static void put(ObjectNode root, String dottedKey, Object value) {
    String[] parts = dottedKey.split("\\.");
    ObjectNode node = root;
    for (int i = 0; i < parts.length - 1; i++) {
      node = node.has(parts[i]) ? (ObjectNode) node.get(parts[i]) : node.putObject(parts[i]);
    }
    if (value == NULL) {
      node.putNull(parts[parts.length - 1]);
    } else {
      node.set(parts[parts.length - 1], JSON.valueToTree(value));
    }
  }

  static String format(Object v) {
    if (v instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) {
      return Long.toString(d.longValue());
    }
    if (v instanceof Double d && Double.isFinite(d)) {
      // YAML 1.1 reads 1.0E10 (no exponent sign) as a string; plain digits are always a float
      return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }
    return String.valueOf(v);
  }
}
