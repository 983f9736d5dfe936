package dev.speculators.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A typed GuideLLM 0.7 option value ({@code --backend}, {@code --profile}, {@code --data}, ...):
 * written as {@code kind=x,key=value,dotted.key=value} when every value is plain, and as the
 * equivalent JSON object when one is not (a path with a comma, say), which GuideLLM also accepts.
 */
final class KindSpec {
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:+@~\\-]*");
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
    boolean plain = entries.values().stream().allMatch(v -> PLAIN.matcher(format(v)).matches());
    if (plain) {
      StringBuilder b = new StringBuilder();
      entries.forEach(
          (k, v) -> b.append(b.length() == 0 ? "" : ",").append(k).append('=').append(format(v)));
      return b.toString();
    }
    ObjectNode root = JSON.createObjectNode();
    entries.forEach((k, v) -> put(root, k, v));
    return root.toString();
  }

  private static void put(ObjectNode root, String dottedKey, Object value) {
    String[] parts = dottedKey.split("\\.");
    ObjectNode node = root;
    for (int i = 0; i < parts.length - 1; i++) {
      node = node.has(parts[i]) ? (ObjectNode) node.get(parts[i]) : node.putObject(parts[i]);
    }
    node.set(parts[parts.length - 1], JSON.valueToTree(value));
  }

  static String format(Object v) {
    if (v instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) {
      return Long.toString(d.longValue());
    }
    return String.valueOf(v);
  }
}
