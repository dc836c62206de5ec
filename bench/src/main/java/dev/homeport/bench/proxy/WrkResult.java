package dev.homeport.bench.proxy;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One wrk run's figures, as printed by {@code wrk-summary.lua}: requests, errors by kind and
 * latency percentiles in microseconds.
 */
public record WrkResult(
    long requests,
    long durationMicros,
    long connectErrors,
    long readErrors,
    long writeErrors,
    long statusErrors,
    long timeouts,
    long p50Micros,
    long p90Micros,
    long p99Micros,
    long p999Micros,
    long maxMicros,
    double meanMicros) {

  /** The line's marker: wrk prints its own summary around it. */
  static final String MARKER = "homeport-wrk ";

  private static final Pattern FIELD = Pattern.compile("([a-z0-9_]+)=([0-9.]+)");

  /** Requests per second over the run. */
  @JsonProperty
  public double requestsPerSecond() {
    return durationMicros == 0 ? 0 : requests * 1e6 / durationMicros;
  }

  /** Socket errors, timeouts and non-2xx/3xx responses together. */
  @JsonProperty
  public long errors() {
    return connectErrors + readErrors + writeErrors + statusErrors + timeouts;
  }

  /**
   * Reads the summary line out of wrk's whole output.
   *
   * @throws IllegalArgumentException when the output has no summary line or it lacks a field,
   *     quoting the output (wrk prints its own errors there)
   */
  public static WrkResult parse(String output) {
    String line =
        output
            .lines()
            .filter(l -> l.startsWith(MARKER))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "wrk printed no '" + MARKER.strip() + "' summary line:\n" + output));
    Map<String, String> fields = new HashMap<>();
    Matcher matcher = FIELD.matcher(line);
    while (matcher.find()) {
      fields.put(matcher.group(1), matcher.group(2));
    }
    return new WrkResult(
        count(fields, "requests", line),
        count(fields, "duration_us", line),
        count(fields, "connect_errors", line),
        count(fields, "read_errors", line),
        count(fields, "write_errors", line),
        count(fields, "status_errors", line),
        count(fields, "timeouts", line),
        count(fields, "p50_us", line),
        count(fields, "p90_us", line),
        count(fields, "p99_us", line),
        count(fields, "p999_us", line),
        count(fields, "max_us", line),
        Double.parseDouble(field(fields, "mean_us", line)));
  }

  private static long count(Map<String, String> fields, String name, String line) {
    return Long.parseLong(field(fields, name, line));
  }

  private static String field(Map<String, String> fields, String name, String line) {
    String value = fields.get(name);
    if (value == null) {
      throw new IllegalArgumentException("wrk summary line lacks " + name + ": " + line);
    }
    return value;
  }
}
