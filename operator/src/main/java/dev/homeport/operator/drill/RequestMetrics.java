package dev.homeport.operator.drill;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * What one read of a front-door's {@code /metrics} says about its requests: which instance
 * answered, the routing epoch it routes by, and the cumulative counts of its {@code
 * homeport.requests} timer per series, with their histogram buckets.
 *
 * @param instance the {@code id} of {@code homeport_frontdoor_instance}; empty when not exposed
 * @param epoch {@code homeport_routing_epoch}; -1 when not exposed
 * @param counts {@code homeport_requests_seconds_count} per series
 * @param buckets {@code homeport_requests_seconds_bucket} per series: upper bound in seconds
 *     ({@code +Inf} included) to cumulative count
 */
record RequestMetrics(
    String instance,
    long epoch,
    Map<Series, Long> counts,
    Map<Series, NavigableMap<Double, Long>> buckets) {

  static final String COUNT = "homeport_requests_seconds_count";
  static final String BUCKET = "homeport_requests_seconds_bucket";
  static final String EPOCH = "homeport_routing_epoch";
  static final String INSTANCE = "homeport_frontdoor_instance";

  /**
   * One series of the timer, by the tags the front-door records (the policy follows the route).
   * {@code status} and {@code hop} are empty when the front-door does not tag them.
   */
  record Series(String route, String outcome, String status, String hop) {}

  RequestMetrics {
    counts = Collections.unmodifiableMap(counts);
    buckets = Collections.unmodifiableMap(buckets);
  }

  /** The names {@link #of} reads; for {@link PrometheusText#parse}. */
  static boolean wanted(String name) {
    return name.equals(COUNT) || name.equals(BUCKET) || name.equals(EPOCH) || name.equals(INSTANCE);
  }

  /** Reduces the samples of one scrape. */
  static RequestMetrics of(List<PrometheusText.Sample> samples) {
    String instance = "";
    long epoch = -1;
    Map<Series, Long> counts = new HashMap<>();
    Map<Series, NavigableMap<Double, Long>> buckets = new HashMap<>();
    for (PrometheusText.Sample sample : samples) {
      switch (sample.name()) {
        case INSTANCE -> instance = nullToEmpty(sample.label("id"));
        case EPOCH -> epoch = Double.isNaN(sample.value()) ? -1 : (long) sample.value();
        case COUNT -> counts.merge(series(sample), count(sample), Long::sum);
        case BUCKET -> {
          String le = sample.label("le");
          if (le == null) {
            throw new IllegalArgumentException(BUCKET + " without an le label");
          }
          double bound =
              le.equals("+Inf") || le.equals("Inf")
                  ? Double.POSITIVE_INFINITY
                  : Double.parseDouble(le);
          buckets
              .computeIfAbsent(series(sample), s -> new TreeMap<>())
              .merge(bound, count(sample), Long::sum);
        }
        default -> {}
      }
    }
    Map<Series, NavigableMap<Double, Long>> frozen = new HashMap<>();
    buckets.forEach(
        (series, bounds) -> frozen.put(series, Collections.unmodifiableNavigableMap(bounds)));
    return new RequestMetrics(instance, epoch, counts, frozen);
  }

  /**
   * Whether a counter is lower here than in {@code earlier}: the front-door restarted, or another
   * instance without an id answered.
   */
  boolean wentBackFrom(RequestMetrics earlier) {
    for (Map.Entry<Series, Long> entry : earlier.counts.entrySet()) {
      if (counts.getOrDefault(entry.getKey(), 0L) < entry.getValue()) {
        return true;
      }
    }
    return false;
  }

  private static Series series(PrometheusText.Sample sample) {
    return new Series(
        nullToEmpty(sample.label("route")),
        nullToEmpty(sample.label("outcome")),
        nullToEmpty(sample.label("status")),
        nullToEmpty(sample.label("hop")));
  }

  private static long count(PrometheusText.Sample sample) {
    double value = sample.value();
    if (Double.isNaN(value) || value < 0 || Double.isInfinite(value)) {
      throw new IllegalArgumentException(
          String.format("%s %s is not a count", sample.name(), sample.value()));
    }
    return Math.round(value);
  }

  private static String nullToEmpty(String text) {
    return text == null ? "" : text;
  }
}
