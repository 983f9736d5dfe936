package dev.speculators.api.validation;

/** Field paths in the API server's notation: {@code spec.datasets[0].hf}. */
final class FieldPaths {
  private FieldPaths() {}

  static String child(String parent, String name) {
    return parent.isEmpty() ? name : parent + "." + name;
  }

  static String index(String parent, int i) {
    return parent + "[" + i + "]";
  }

  /** A map entry: the API server writes keys in brackets, e.g. {@code limits[nvidia.com/gpu]}. */
  static String key(String parent, String key) {
    return parent + "[" + key + "]";
  }

  /** Appends a rule's {@code fieldPath} (e.g. {@code .spec.draft} or {@code .limits['a.b']}). */
  static String appendRulePath(String parent, String fieldPath) {
    String rel = fieldPath.startsWith(".") ? fieldPath.substring(1) : fieldPath;
    if (rel.isEmpty()) {
      return parent;
    }
    if (rel.startsWith("[")) {
      return parent + rel;
    }
    return parent.isEmpty() ? rel : parent + "." + rel;
  }
}
