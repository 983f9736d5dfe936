package dev.speculators.operator.workload;

/** Reads the index lists of an Indexed Job's status, e.g. {@code "0-2,5,7-8"}. */
public final class Indexes {
  private Indexes() {}

  /** How many indexes the list names (0 for null or empty). */
  public static int count(String list) {
    if (list == null || list.isBlank()) {
      return 0;
    }
    int n = 0;
    for (String part : list.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      int dash = p.indexOf('-');
      if (dash < 0) {
        n++;
      } else {
        n +=
            Integer.parseInt(p.substring(dash + 1).trim())
                - Integer.parseInt(p.substring(0, dash).trim())
                + 1;
      }
    }
    return n;
  }

  /** True when {@code index} is in the list. */
  public static boolean contains(String list, int index) {
    if (list == null || list.isBlank()) {
      return false;
    }
    for (String part : list.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      int dash = p.indexOf('-');
      if (dash < 0) {
        if (Integer.parseInt(p) == index) {
          return true;
        }
      } else if (index >= Integer.parseInt(p.substring(0, dash).trim())
          && index <= Integer.parseInt(p.substring(dash + 1).trim())) {
        return true;
      }
    }
    return false;
  }
}
