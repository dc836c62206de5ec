package dev.homeport.operator.drill;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads the Prometheus text exposition format (version 0.0.4, what Micrometer's {@code
 * PrometheusMeterRegistry.scrape()} writes): one sample per line, {@code name{label="value",…}
 * value [timestamp]}, with {@code #} lines for HELP and TYPE. Label values may hold {@code \\},
 * {@code \"} and {@code \n} escapes; values may be {@code +Inf}, {@code -Inf} or {@code NaN}.
 */
final class PrometheusText {

  /**
   * One sample.
   *
   * @param name the series name as exposed, e.g. {@code homeport_requests_seconds_bucket}
   * @param labels its labels, in the order written
   * @param value its value
   */
  record Sample(String name, Map<String, String> labels, double value) {

    Sample {
      labels = Collections.unmodifiableMap(labels);
    }

    /** The label's value, or null. */
    String label(String label) {
      return labels.get(label);
    }
  }

  private PrometheusText() {}

  /**
   * The samples of {@code text} whose name {@code wanted} accepts; other lines are skipped without
   * reading their labels.
   *
   * @throws IllegalArgumentException naming the line that is not in the format
   */
  static List<Sample> parse(String text, Predicate<String> wanted) {
    List<Sample> samples = new ArrayList<>();
    int number = 0;
    int start = 0;
    while (start < text.length()) {
      int end = text.indexOf('\n', start);
      if (end < 0) {
        end = text.length();
      }
      number++;
      String line = text.substring(start, end);
      start = end + 1;
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      try {
        Sample sample = sample(trimmed, wanted);
        if (sample != null) {
          samples.add(sample);
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            String.format("line %d: %s: %s", number, e.getMessage(), abbreviate(trimmed)), e);
      }
    }
    return samples;
  }

  private static Sample sample(String line, Predicate<String> wanted) {
    int i = 0;
    while (i < line.length() && isNameChar(line.charAt(i), i == 0)) {
      i++;
    }
    if (i == 0) {
      throw new IllegalArgumentException("no metric name");
    }
    String name = line.substring(0, i);
    if (!wanted.test(name)) {
      return null;
    }
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i = labels(line, i + 1, labels);
    }
    if (i >= line.length() || (line.charAt(i) != ' ' && line.charAt(i) != '\t')) {
      throw new IllegalArgumentException("no value after the name and labels");
    }
    String[] rest = line.substring(i).strip().split("[ \t]+");
    if (rest.length > 2) {
      throw new IllegalArgumentException("more than a value and a timestamp");
    }
    return new Sample(name, labels, value(rest[0]));
  }

  /** Reads {@code label="value",…}} from {@code i}; returns the index after the brace. */
  private static int labels(String line, int i, Map<String, String> labels) {
    while (true) {
      i = skipBlanks(line, i);
      if (i < line.length() && line.charAt(i) == '}') {
        return i + 1;
      }
      int nameStart = i;
      while (i < line.length() && isLabelChar(line.charAt(i), i == nameStart)) {
        i++;
      }
      if (i == nameStart) {
        throw new IllegalArgumentException("a label without a name");
      }
      String label = line.substring(nameStart, i);
      i = skipBlanks(line, i);
      if (i >= line.length() || line.charAt(i) != '=') {
        throw new IllegalArgumentException("label " + label + " without =");
      }
      i = skipBlanks(line, i + 1);
      if (i >= line.length() || line.charAt(i) != '"') {
        throw new IllegalArgumentException("label " + label + " without a quoted value");
      }
      StringBuilder value = new StringBuilder();
      i++;
      while (true) {
        if (i >= line.length()) {
          throw new IllegalArgumentException("label " + label + "'s value is not closed");
        }
        char c = line.charAt(i);
        if (c == '"') {
          i++;
          break;
        }
        if (c == '\\') {
          if (i + 1 >= line.length()) {
            throw new IllegalArgumentException("label " + label + "'s value is not closed");
          }
          char escaped = line.charAt(i + 1);
          switch (escaped) {
            case '\\' -> value.append('\\');
            case '"' -> value.append('"');
            case 'n' -> value.append('\n');
            default ->
                throw new IllegalArgumentException(
                    "label " + label + " has an unknown escape \\" + escaped);
          }
          i += 2;
        } else {
          value.append(c);
          i++;
        }
      }
      if (labels.put(label, value.toString()) != null) {
        throw new IllegalArgumentException("label " + label + " appears twice");
      }
      i = skipBlanks(line, i);
      if (i < line.length() && line.charAt(i) == ',') {
        i++;
      } else if (i >= line.length() || line.charAt(i) != '}') {
        throw new IllegalArgumentException("labels not closed by }");
      }
    }
  }

  private static double value(String text) {
    switch (text) {
      case "+Inf", "Inf" -> {
        return Double.POSITIVE_INFINITY;
      }
      case "-Inf" -> {
        return Double.NEGATIVE_INFINITY;
      }
      case "NaN" -> {
        return Double.NaN;
      }
      default -> {
        // Double.parseDouble also takes "Infinity", hex and a trailing "d"; the format does not.
        if (!text.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) {
          throw new IllegalArgumentException("\"" + text + "\" is not a value");
        }
        return Double.parseDouble(text);
      }
    }
  }

  private static int skipBlanks(String line, int i) {
    while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
      i++;
    }
    return i;
  }

  private static boolean isNameChar(char c, boolean first) {
    return c == ':' || isLabelChar(c, first);
  }

  private static boolean isLabelChar(char c, boolean first) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || c == '_'
        || (!first && c >= '0' && c <= '9');
  }

  private static String abbreviate(String line) {
    return line.length() <= 120 ? line : line.substring(0, 117) + "...";
  }
}
