package dev.speculators.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
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
public final class PrinterColumnOrder {
  private static final Pattern ITEM = Pattern.compile("^(\\s*)- jsonPath: \"([^\"]*)\"$");

  private PrinterColumnOrder() {}

  /** A generated CRD's text with its printer columns in its resource class's declaration order. */
  public static String of(String generatedCrd) {
    String kind;
    try {
      kind =
          new YAMLMapper().readTree(generatedCrd).path("spec").path("names").path("kind").asText();
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a CRD: " + e.getOriginalMessage(), e);
    }
    Class<?> type =
        switch (kind) {
          case "HiddenStateDataset" -> HiddenStateDataset.class;
          case "SpeculatorTraining" -> SpeculatorTraining.class;
          case "SpeculatorEval" -> SpeculatorEval.class;
          default -> throw new IllegalArgumentException("unknown kind '" + kind + "'");
        };
    return apply(generatedCrd, type);
  }

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
