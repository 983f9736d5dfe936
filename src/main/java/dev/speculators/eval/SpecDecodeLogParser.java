package dev.speculators.eval;

import dev.speculators.eval.SpecDecodeLogLine.Format;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the speculative-decoding metrics lines of a vLLM server log. Fields are found by their
 * label, not their position, because vLLM reordered and added fields three times; labels this
 * parser does not know are skipped, so a future field does not break it. A line that carries the
 * marker but lacks the drafted count, or whose known fields do not parse, is an error naming the
 * line: a silently dropped interval would bias the weighted rates.
 */
public final class SpecDecodeLogParser {
  /** Marker of F1..F3 lines; the prefix before it (timestamps, process ids) varies. */
  public static final String MARKER = "SpecDecoding metrics:";

  /** Marker of the F0 lines of early V1 engines. */
  public static final String LEGACY_MARKER = "Speculative metrics:";

  private static final Pattern ITEM_START = Pattern.compile(",\\s+(?=[A-Za-z][A-Za-z \\-]*:)");
  private static final Pattern TOKENS = Pattern.compile("(\\d+) tokens");
  private static final Pattern NUMBER =
      Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?|nan|NaN");

  private final String source;

  public SpecDecodeLogParser(String source) {
    this.source = source;
  }

  /** Every metrics line of the log, in order. */
  public List<SpecDecodeLogLine> parse(BufferedReader log) throws IOException {
    List<SpecDecodeLogLine> lines = new ArrayList<>();
    String line;
    int number = 0;
    while ((line = log.readLine()) != null) {
      number++;
      int at = line.indexOf(MARKER);
      if (at >= 0) {
        lines.add(parseCurrent(number, line.substring(at + MARKER.length())));
        continue;
      }
      int legacy = line.indexOf(LEGACY_MARKER);
      if (legacy >= 0) {
        lines.add(parseLegacy(number, line.substring(legacy + LEGACY_MARKER.length())));
      }
    }
    return lines;
  }

  private SpecDecodeLogLine parseCurrent(int number, String body) {
    Map<String, String> fields = fields(number, body);
    Long drafted = tokens(number, fields, "Drafted");
    if (drafted == null) {
      throw new MalformedInputException(
          source, number, "SpecDecoding metrics line without 'Drafted: N tokens'");
    }
    Long accepted = tokens(number, fields, "Accepted");
    double[] perPosition = null;
    String rates = fields.get("Per-position acceptance rate");
    if (rates != null) {
      String[] parts = rates.split(",");
      perPosition = new double[parts.length];
      for (int i = 0; i < parts.length; i++) {
        perPosition[i] = number(number, "Per-position acceptance rate", parts[i].trim());
      }
    }
    for (String label :
        List.of("Mean acceptance length", "Draft acceptance rate", "Avg Draft acceptance rate")) {
      String v = fields.get(label);
      if (v != null) {
        number(number, label, v.endsWith("%") ? v.substring(0, v.length() - 1) : v);
      }
    }
    Format format;
    if (fields.containsKey("Avg Draft acceptance rate")) {
      format = Format.F3;
    } else if (fields.containsKey("Accepted throughput")) {
      format = Format.F2B;
    } else if (perPosition != null) {
      format = Format.F2;
    } else {
      format = Format.F1;
    }
    return new SpecDecodeLogLine(
        number, format, drafted, accepted == null ? -1 : accepted, perPosition);
  }

  private SpecDecodeLogLine parseLegacy(int number, String body) {
    Map<String, String> fields = fields(number, body);
    String drafted = fields.get("Number of draft tokens");
    if (drafted == null) {
      throw new MalformedInputException(
          source, number, "Speculative metrics line without 'Number of draft tokens'");
    }
    String accepted = fields.get("Number of accepted tokens");
    return new SpecDecodeLogLine(
        number,
        Format.F0,
        integer(number, "Number of draft tokens", drafted),
        accepted == null ? -1 : integer(number, "Number of accepted tokens", accepted),
        null);
  }

  /**
   * Splits {@code "A: 1, B: 2 tokens, C: 0.8, 0.6, D: 5%"} into labelled values. A comma starts a
   * new item only when a label follows it, so list values stay whole.
   */
  private Map<String, String> fields(int number, String body) {
    Map<String, String> fields = new HashMap<>();
    String trimmed = body.strip();
    if (trimmed.endsWith(",")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1); // F0 ends with ", "
    }
    Matcher m = ITEM_START.matcher(trimmed);
    int start = 0;
    List<String> items = new ArrayList<>();
    while (m.find()) {
      items.add(trimmed.substring(start, m.start()));
      start = m.end();
    }
    items.add(trimmed.substring(start));
    for (String item : items) {
      int colon = item.indexOf(':');
      if (colon <= 0) {
        throw new MalformedInputException(
            source, number, "cannot read '" + item.strip() + "' as 'label: value'");
      }
      fields.put(item.substring(0, colon).strip(), item.substring(colon + 1).strip());
    }
    return fields;
  }

  private Long tokens(int number, Map<String, String> fields, String label) {
    String v = fields.get(label);
    if (v == null) {
      return null;
    }
    Matcher m = TOKENS.matcher(v);
    if (!m.matches()) {
      throw new MalformedInputException(
          source, number, "'" + label + ": " + v + "' is not 'N tokens'");
    }
    return Long.parseLong(m.group(1));
  }

  private long integer(int number, String label, String v) {
    if (!v.matches("\\d+")) {
      throw new MalformedInputException(
          source, number, "'" + label + ": " + v + "' is not a whole number");
    }
    return Long.parseLong(v);
  }

  private double number(int number, String label, String v) {
    if (!NUMBER.matcher(v).matches()) {
      throw new MalformedInputException(
          source, number, "'" + label + "' value '" + v + "' is not a number");
    }
    return v.equalsIgnoreCase("nan") ? Double.NaN : Double.parseDouble(v);
  }
}
