package dev.speculators.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parser for the Prometheus text exposition format (version 0.0.4, plus the OpenMetrics additions a
 * Python {@code prometheus_client} may emit): comment and {@code # HELP}/{@code # TYPE} lines,
 * labels in any order with escaped values, {@code NaN}/{@code +Inf}/{@code -Inf} and exponent
 * values, optional timestamps, exemplars and {@code # EOF}. Series whose name ends in {@code
 * _created} (counter creation times) are left out. A line that fits none of this is an error naming
 * its number: silently skipping it could drop a counter and skew every ratio.
 */
public final class PrometheusText {
  private final String source;
  private final String text;
  private int pos;
  private int lineNumber;
  private int lineEnd;

  private PrometheusText(String source, String text) {
    this.source = source;
    this.text = text;
  }

  /** The samples of {@code text}; {@code source} names it in error messages (e.g. the URL). */
  public static List<PrometheusSample> parse(String source, String text) {
    return new PrometheusText(source, text).parseAll();
  }

  private List<PrometheusSample> parseAll() {
    List<PrometheusSample> samples = new ArrayList<>();
    int start = 0;
    lineNumber = 0;
    while (start < text.length()) {
      int nl = text.indexOf('\n', start);
      lineEnd = nl < 0 ? text.length() : nl;
      lineNumber++;
      pos = start;
      PrometheusSample sample = parseLine();
      if (sample != null && !sample.name().endsWith("_created")) {
        samples.add(sample);
      }
      start = lineEnd + 1;
    }
    return samples;
  }

  private PrometheusSample parseLine() {
    skipBlanks();
    if (pos >= lineEnd || peek() == '\r') {
      return null;
    }
    if (peek() == '#') {
      return null; // HELP, TYPE, UNIT, EOF and free comments carry no samples
    }
    String name = metricName();
    Map<String, String> labels = new LinkedHashMap<>();
    if (pos < lineEnd && peek() == '{') {
      pos++;
      labels(labels);
    }
    if (pos >= lineEnd || !isBlank(peek())) {
      fail("expected a space and a value after '" + name + (labels.isEmpty() ? "" : "{...}") + "'");
    }
    skipBlanks();
    double value = number(token(), "value");
    skipBlanks();
    if (pos < lineEnd && peek() != '#' && peek() != '\r') {
      number(token(), "timestamp");
      skipBlanks();
    }
    if (pos < lineEnd && peek() != '#' && peek() != '\r') {
      fail("unexpected text after the value: '" + text.substring(pos, lineEnd).trim() + "'");
    }
    // anything after '#' is an OpenMetrics exemplar
    return new PrometheusSample(name, labels, value);
  }

  private String metricName() {
    int start = pos;
    while (pos < lineEnd && isNameChar(peek(), pos == start, true)) {
      pos++;
    }
    if (pos == start) {
      fail(
          "expected a metric name, found '"
              + text.substring(pos, Math.min(lineEnd, pos + 20))
              + "'");
    }
    return text.substring(start, pos);
  }

  private void labels(Map<String, String> labels) {
    while (true) {
      skipBlanks();
      if (pos >= lineEnd) {
        fail("unterminated label set: missing '}'");
      }
      if (peek() == '}') {
        pos++;
        return;
      }
      int start = pos;
      while (pos < lineEnd && isNameChar(peek(), pos == start, false)) {
        pos++;
      }
      if (pos == start) {
        fail("expected a label name at column " + column());
      }
      String label = text.substring(start, pos);
      skipBlanks();
      expect('=', "after label '" + label + "'");
      skipBlanks();
      expect('"', "to open the value of label '" + label + "'");
      if (labels.put(label, quotedValue(label)) != null) {
        fail("label '" + label + "' appears twice");
      }
      skipBlanks();
      if (pos < lineEnd && peek() == ',') {
        pos++;
      } else if (pos >= lineEnd || peek() != '}') {
        fail("expected ',' or '}' after the value of label '" + label + "'");
      }
    }
  }

  private String quotedValue(String label) {
    StringBuilder value = new StringBuilder();
    while (pos < lineEnd) {
      char c = text.charAt(pos++);
      if (c == '"') {
        return value.toString();
      }
      if (c == '\\') {
        if (pos >= lineEnd) {
          break;
        }
        char e = text.charAt(pos++);
        switch (e) {
          case 'n' -> value.append('\n');
          case '\\' -> value.append('\\');
          case '"' -> value.append('"');
          default -> fail("invalid escape '\\" + e + "' in the value of label '" + label + "'");
        }
      } else {
        value.append(c);
      }
    }
    fail("unterminated value of label '" + label + "'");
    return null;
  }

  private String token() {
    int start = pos;
    while (pos < lineEnd && !isBlank(peek()) && peek() != '\r') {
      pos++;
    }
    return text.substring(start, pos);
  }

  private double number(String token, String what) {
    switch (token) {
      case "NaN", "nan" -> {
        return Double.NaN;
      }
      case "+Inf", "Inf", "+inf", "inf" -> {
        return Double.POSITIVE_INFINITY;
      }
      case "-Inf", "-inf" -> {
        return Double.NEGATIVE_INFINITY;
      }
      default -> {
        // Double.parseDouble also takes "0x1p3", "1d" and "Infinity": not Prometheus numbers.
        if (!token.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
          fail("invalid " + what + " '" + token + "'");
        }
        return Double.parseDouble(token);
      }
    }
  }

  private void expect(char c, String context) {
    if (pos >= lineEnd || peek() != c) {
      fail("expected '" + c + "' " + context);
    }
    pos++;
  }

  private void skipBlanks() {
    while (pos < lineEnd && isBlank(peek())) {
      pos++;
    }
  }

  private char peek() {
    return text.charAt(pos);
  }

  private int column() {
    return pos - text.lastIndexOf('\n', pos - 1);
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t';
  }

  private static boolean isNameChar(char c, boolean first, boolean colonAllowed) {
    boolean letter =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colonAllowed && c == ':');
    return letter || (!first && c >= '0' && c <= '9');
  }

  private void fail(String problem) {
    throw new MalformedInputException(source, lineNumber, problem);
  }
}
