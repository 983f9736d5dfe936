package dev.speculators.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Puts a generated CRD's printer columns in the order the resource class declares them.
 *
 * <p>fabric8's CRD generator sorts the columns by JSON path, so {@code kubectl get} would show Age
 * first and the ETA before the progress: kubectl prints the columns in the CRD's order. The text is
 * reordered in place (item by item) so that everything else stays as the generator wrote it.
 */
final class PrinterColumnOrder {
  private static final Pattern ITEM = Pattern.compile("^(\\s*)- jsonPath: \"([^\"]*)\"$");

  private PrinterColumnOrder() {}

  /** The CRD text with every printer-column list in {@code kind}'s declaration order. */
  static String apply(String crdYaml, Class<?> kind) {
    List<String> declared = new ArrayList<>();
    for (AdditionalPrinterColumn c : kind.getAnnotationsByType(AdditionalPrinterColumn.class)) {
      declared.add(c.jsonPath());
    }
    String[] lines = crdYaml.split("\n", -1);
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < lines.length) {
      out.add(lines[i]);
      if (!lines[i].endsWith("additionalPrinterColumns:")) {
        i++;
        continue;
      }
      i++;
      List<List<String>> items = new ArrayList<>();
      List<String> paths = new ArrayList<>();
      while (i < lines.length) {
        Matcher m = ITEM.matcher(lines[i]);
        if (!m.matches()) {
          break;
        }
        String itemIndent = m.group(1);
        List<String> item = new ArrayList<>(List.of(lines[i++]));
        while (i < lines.length
            && lines[i].startsWith(itemIndent + "  ")
            && !ITEM.matcher(lines[i]).matches()) {
          item.add(lines[i++]);
        }
        items.add(item);
        paths.add(m.group(2));
      }
      List<Integer> order = new ArrayList<>();
      for (int k = 0; k < items.size(); k++) {
        order.add(k);
      }
      order.sort(
          Comparator.comparingInt(
              k -> {
                int at = declared.indexOf(paths.get(k));
                return at < 0 ? Integer.MAX_VALUE : at;
              }));
      order.forEach(k -> out.addAll(items.get(k)));
    }
    return String.join("\n", out);
  }
}
