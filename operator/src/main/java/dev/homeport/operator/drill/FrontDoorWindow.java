package dev.homeport.operator.drill;

import dev.homeport.contract.Durations;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Users' requests through every region's front-door during a drill, from the front-doors' own
 * {@code homeport.requests} timer: each read of a front-door is compared with the first read of the
 * same instance that routed by the flip's table (its baseline), and the differences, summed over
 * every front-door, are judged against {@code spec.drillPolicy.abortIf}.
 *
 * <p>Pure: reads come in through {@link #take}, nothing here does I/O.
 */
final class FrontDoorWindow {

  /**
   * Fewest requests since the flip on which errorRate is judged. Below 20 a single failed request
   * is already 5 % (the usual threshold), so one unlucky request would abort a drill; from 20 on,
   * crossing 0.05 takes at least two failures.
   */
  static final long MIN_REQUESTS = 20;

  /**
   * Fewest requests on which p99Latency is judged. Under 100 requests the p99 is the slowest
   * request itself; from 100 on, crossing the threshold takes at least two slow requests, as
   * errorRate takes at least two failures.
   */
  static final long MIN_REQUESTS_FOR_P99 = 100;

  /** How a recorded request counts against abortIf. */
  enum Kind {
    /** Not a user's request to judge here. */
    IGNORED,
    SUCCEEDED,
    FAILED
  }

  /**
   * Whether a series of {@code homeport.requests} counts, and as what.
   *
   * <p>A request failed, for abortIf, when the user got a 5xx: a backend's own 5xx, the proxy's
   * 502/504 for a backend or peer front-door that could not be reached or did not answer in time,
   * and the front-door's refusals that say Homeport could not serve (fenced_region, fenced_key,
   * unknown_home, unresolved, no_table, no_url, loop), because each is a user who could not do what
   * they came to do. A 4xx is not: it is the application's answer to that request (404, 409, 422…)
   * or the client's own doing (no routing key, a bad token, over its quota), and it would come
   * whether or not a drill runs.
   *
   * <p>Not counted at all: {@code home_down}, the refusal a route configured with {@code
   * onHomeDown: reject} (or a write on a {@code read-only} one) gives while its key's home is
   * failed over. During a drill that is the drill itself, as the fence is: the route's owner chose
   * to refuse rather than to be served by a peer, and counting it would abort every drill of a
   * topology with such a route, whatever the peer does. Nor a request that came from another
   * region's front-door ({@code hop="true"}): it was recorded where it entered too, and counting it
   * twice would weigh proxied requests double. A series without a status tag (a front-door older
   * than this rule) cannot tell a failure from a success and is not counted either; {@link #take}
   * notes it.
   */
  static Kind kind(RequestMetrics.Series series) {
    if (series.hop().equals("true")
        || series.outcome().equals("home_down")
        || series.status().isEmpty()) {
      return Kind.IGNORED;
    }
    return series.status().startsWith("5") || series.status().equals("other")
        ? Kind.FAILED
        : Kind.SUCCEEDED;
  }

  /** What the window holds of one front-door instance. */
  private record Tracked(String region, RequestMetrics baseline, RequestMetrics latest) {}

  /**
   * The figures since the flip, over the front-doors read.
   *
   * @param requests counted requests
   * @param failed those that failed
   * @param regions the regions of the front-doors counted, sorted
   * @param failedByRegion failures per region and outcome, most failed region first
   * @param requestsByRegion counted requests per region
   * @param buckets the latency histogram over every counted request: upper bound in seconds to
   *     cumulative count
   * @param bucketsByRegion the same per region
   */
  record Figures(
      long requests,
      long failed,
      List<String> regions,
      Map<String, Map<String, Long>> failedByRegion,
      Map<String, Long> requestsByRegion,
      NavigableMap<Double, Long> buckets,
      Map<String, NavigableMap<Double, Long>> bucketsByRegion) {

    double errorRate() {
      return requests == 0 ? 0 : (double) failed / requests;
    }

    /** The p99 as Prometheus' histogram_quantile estimates it; null without requests. */
    Duration p99() {
      return quantile(0.99, buckets);
    }
  }

  private final long fromEpoch;
  private final Map<String, Tracked> tracked = new LinkedHashMap<>();

  /**
   * @param fromEpoch the flip's routing epoch: a front-door is counted from its first read that
   *     routes by this table or a newer one, so that requests it refused or routed by the table
   *     before the flip (the fenced window) never count, as synthetic requests answered by an older
   *     table do not
   */
  FrontDoorWindow(long fromEpoch) {
    this.fromEpoch = fromEpoch;
  }

  long fromEpoch() {
    return fromEpoch;
  }

  /**
   * Takes a read of {@code region}'s front-door.
   *
   * @return a remark for the drill's notes, or null
   */
  String take(String region, RequestMetrics read) {
    if (read.epoch() < 0) {
      return String.format(
          "front-door metrics of %s carry no %s, so the flip cannot be told apart from the fenced"
              + " window there; its requests are not counted",
          region, RequestMetrics.EPOCH);
    }
    if (read.epoch() < fromEpoch) {
      // Still routing by a table from before the flip: the fenced window, not counted yet.
      return null;
    }
    String note = null;
    if (read.counts().keySet().stream().anyMatch(series -> series.status().isEmpty())) {
      note =
          String.format(
              "front-door metrics of %s do not tag homeport.requests with status (a front-door"
                  + " older than this operator): those requests are not counted",
              region);
    }
    String key = region + '\n' + read.instance();
    Tracked known = tracked.get(key);
    if (known == null) {
      tracked.put(key, new Tracked(region, read, read));
      return note;
    }
    if (read.wentBackFrom(known.latest())) {
      // Only a front-door without an instance id can get here: a restart, or another instance
      // behind the same admin URL. The requests it served since the last read are lost.
      tracked.put(key, new Tracked(region, read, read));
      return String.format(
          "front-door metrics of %s went back (a restart, or several instances without an id"
              + " behind its adminUrl); counted again from there",
          region);
    }
    tracked.put(key, new Tracked(region, known.baseline(), read));
    return note;
  }

  /** The figures since each front-door's baseline. */
  Figures figures() {
    long requests = 0;
    long failed = 0;
    Map<String, Map<String, Long>> failedByRegion = new TreeMap<>();
    Map<String, Long> requestsByRegion = new TreeMap<>();
    List<NavigableMap<Double, Long>> all = new ArrayList<>();
    Map<String, List<NavigableMap<Double, Long>>> byRegion = new TreeMap<>();
    TreeSet<String> regions = new TreeSet<>();
    for (Tracked t : tracked.values()) {
      regions.add(t.region());
      for (Map.Entry<RequestMetrics.Series, Long> entry : t.latest().counts().entrySet()) {
        RequestMetrics.Series series = entry.getKey();
        Kind kind = kind(series);
        if (kind == Kind.IGNORED) {
          continue;
        }
        long delta = entry.getValue() - t.baseline().counts().getOrDefault(series, 0L);
        if (delta <= 0) {
          continue;
        }
        requests += delta;
        requestsByRegion.merge(t.region(), delta, Long::sum);
        if (kind == Kind.FAILED) {
          failed += delta;
          failedByRegion
              .computeIfAbsent(t.region(), r -> new TreeMap<>())
              .merge(series.outcome().isEmpty() ? "?" : series.outcome(), delta, Long::sum);
        }
      }
      for (Map.Entry<RequestMetrics.Series, NavigableMap<Double, Long>> entry :
          t.latest().buckets().entrySet()) {
        if (kind(entry.getKey()) == Kind.IGNORED) {
          continue;
        }
        NavigableMap<Double, Long> before = t.baseline().buckets().get(entry.getKey());
        NavigableMap<Double, Long> delta = new TreeMap<>();
        entry
            .getValue()
            .forEach(
                (bound, count) ->
                    delta.put(
                        bound,
                        Math.max(
                            0, count - (before == null ? 0 : before.getOrDefault(bound, 0L)))));
        all.add(delta);
        byRegion.computeIfAbsent(t.region(), r -> new ArrayList<>()).add(delta);
      }
    }
    Map<String, Map<String, Long>> sortedFailures = new LinkedHashMap<>();
    failedByRegion.entrySet().stream()
        .sorted(
            Comparator.comparing(
                (Map.Entry<String, Map<String, Long>> e) -> -sum(e.getValue().values())))
        .forEach(e -> sortedFailures.put(e.getKey(), e.getValue()));
    Map<String, NavigableMap<Double, Long>> regionBuckets = new TreeMap<>();
    byRegion.forEach((region, histograms) -> regionBuckets.put(region, merge(histograms)));
    return new Figures(
        requests,
        failed,
        List.copyOf(regions),
        sortedFailures,
        requestsByRegion,
        merge(all),
        regionBuckets);
  }

  /**
   * Why the drill must be aborted on the front-doors' figures, or null while they are within {@code
   * errorRate} and {@code p99Latency} (either null: not judged) or too few to judge.
   */
  String crossed(Double errorRate, Duration p99Latency) {
    Figures f = figures();
    if (errorRate != null && f.requests() >= MIN_REQUESTS && f.errorRate() > errorRate) {
      return String.format(
          Locale.ROOT,
          "front-door metrics: errorRate %.2f over %s (%d of %d requests failed across %s since"
              + " the flip; 5xx by region: %s)",
          f.errorRate(),
          BigDecimal.valueOf(errorRate).stripTrailingZeros().toPlainString(),
          f.failed(),
          f.requests(),
          String.join(", ", f.regions()),
          failures(f.failedByRegion()));
    }
    Duration p99 = f.p99();
    if (p99Latency != null
        && p99 != null
        && f.requests() >= MIN_REQUESTS_FOR_P99
        && p99.compareTo(p99Latency) > 0) {
      return String.format(
          "front-door metrics: p99Latency %s over %s (p99 of %d requests across %s since the"
              + " flip, from the histogram buckets; by region: %s)",
          Durations.notation(p99),
          Durations.notation(p99Latency),
          f.requests(),
          String.join(", ", f.regions()),
          latencies(f));
    }
    return null;
  }

  /** For the drill's notes when the window closes; null when no front-door was counted. */
  String summary() {
    Figures f = figures();
    if (f.regions().isEmpty()) {
      return null;
    }
    Duration p99 = f.p99();
    return String.format(
        Locale.ROOT,
        "front-door metrics from the flip on: %d of %d requests failed across %s%s%s",
        f.failed(),
        f.requests(),
        String.join(", ", f.regions()),
        p99 == null ? "" : ", p99 " + Durations.notation(p99),
        f.requests() < MIN_REQUESTS
            ? String.format(" (fewer than %d: too few to judge errorRate)", MIN_REQUESTS)
            : "");
  }

  /**
   * The {@code q} quantile of a cumulative histogram, interpolated inside its bucket as Prometheus'
   * histogram_quantile does, so that the figure agrees with the dashboard's; null without requests.
   * A quantile in the {@code +Inf} bucket is the highest finite bound.
   */
  static Duration quantile(double q, NavigableMap<Double, Long> cumulative) {
    if (cumulative.isEmpty()) {
      return null;
    }
    long total = cumulative.lastEntry().getValue();
    if (total <= 0) {
      return null;
    }
    double rank = q * total;
    double lowerBound = 0;
    long lowerCount = 0;
    for (Map.Entry<Double, Long> bucket : cumulative.entrySet()) {
      double upperBound = bucket.getKey();
      long count = bucket.getValue();
      if (count >= rank) {
        if (Double.isInfinite(upperBound)) {
          return seconds(lowerBound);
        }
        if (count == lowerCount) {
          return seconds(upperBound);
        }
        return seconds(
            lowerBound + (upperBound - lowerBound) * (rank - lowerCount) / (count - lowerCount));
      }
      lowerBound = upperBound;
      lowerCount = count;
    }
    return seconds(lowerBound);
  }

  /**
   * Sums cumulative histograms. Where one lacks a bound another has, its count there is that of its
   * next lower bound (the requests known to be at most that fast), so a sum never counts a request
   * below a bound it was not measured against.
   */
  static NavigableMap<Double, Long> merge(List<NavigableMap<Double, Long>> histograms) {
    TreeSet<Double> bounds = new TreeSet<>();
    histograms.forEach(h -> bounds.addAll(h.keySet()));
    NavigableMap<Double, Long> merged = new TreeMap<>();
    for (double bound : bounds) {
      long sum = 0;
      for (NavigableMap<Double, Long> h : histograms) {
        Map.Entry<Double, Long> below = h.floorEntry(bound);
        sum += below == null ? 0 : below.getValue();
      }
      merged.put(bound, sum);
    }
    return merged;
  }

  private static String failures(Map<String, Map<String, Long>> failedByRegion) {
    return failedByRegion.entrySet().stream()
        .map(
            e ->
                e.getKey()
                    + " "
                    + sum(e.getValue().values())
                    + " ("
                    + e.getValue().entrySet().stream()
                        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                        .limit(3)
                        .map(o -> o.getKey() + " " + o.getValue())
                        .collect(Collectors.joining(", "))
                    + ")")
        .collect(Collectors.joining(", "));
  }

  private static String latencies(Figures f) {
    List<String> parts = new ArrayList<>();
    f.bucketsByRegion().entrySet().stream()
        .map(e -> Map.entry(e.getKey(), quantileOrZero(e.getValue())))
        .sorted(Map.Entry.<String, Duration>comparingByValue().reversed())
        .forEach(
            e ->
                parts.add(
                    String.format(
                        "%s %s of %d",
                        e.getKey(),
                        Durations.notation(e.getValue()),
                        f.requestsByRegion().getOrDefault(e.getKey(), 0L))));
    return String.join(", ", parts);
  }

  private static Duration quantileOrZero(NavigableMap<Double, Long> buckets) {
    Duration p99 = quantile(0.99, buckets);
    return p99 == null ? Duration.ZERO : p99;
  }

  private static long sum(java.util.Collection<Long> values) {
    return values.stream().mapToLong(Long::longValue).sum();
  }

  private static Duration seconds(double seconds) {
    return Duration.ofNanos(Math.round(seconds * 1e9));
  }
}
