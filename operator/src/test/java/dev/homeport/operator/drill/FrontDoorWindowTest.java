package dev.homeport.operator.drill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homeport.operator.drill.FrontDoorWindow.Kind;
import dev.homeport.operator.drill.RequestMetrics.Series;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The front-doors' figures since a drill's flip, and abortIf judged on them. */
class FrontDoorWindowTest {

  private static final long FLIP = 7;

  /** Histogram bounds in seconds, as a front-door's timer might have them. */
  private static final double[] BOUNDS = {0.01, 0.1, 1, 5, Double.POSITIVE_INFINITY};

  /** One read of a front-door, built series by series. */
  private static final class Scrape {
    private final String instance;
    private final long epoch;
    private final Map<Series, Long> counts = new HashMap<>();
    private final Map<Series, NavigableMap<Double, Long>> buckets = new HashMap<>();

    Scrape(String instance, long epoch) {
      this.instance = instance;
      this.epoch = epoch;
    }

    /** A series with {@code perBucket[i]} requests in (BOUNDS[i-1], BOUNDS[i]]. */
    Scrape add(String outcome, String status, String hop, long... perBucket) {
      Series series = new Series("orders", outcome, status, hop);
      NavigableMap<Double, Long> cumulative = new TreeMap<>();
      long sum = 0;
      for (int i = 0; i < BOUNDS.length; i++) {
        sum += i < perBucket.length ? perBucket[i] : 0;
        cumulative.put(BOUNDS[i], sum);
      }
      counts.put(series, sum);
      buckets.put(series, cumulative);
      return this;
    }

    /** {@code n} fast requests (under 10 ms). */
    Scrape add(String outcome, String status, long n) {
      return add(outcome, status, "false", n);
    }

    RequestMetrics read() {
      return new RequestMetrics(instance, epoch, counts, buckets);
    }
  }

  private static Scrape at(long epoch) {
    return new Scrape("i1", epoch);
  }

  @ParameterizedTest(name = "{0} {1} hop={2}: {3}")
  @CsvSource({
    "local, 2xx, false, SUCCEEDED",
    "local, 3xx, false, SUCCEEDED",
    "local, 1xx, false, SUCCEEDED",
    "local, 4xx, false, SUCCEEDED",
    "no_key, 4xx, false, SUCCEEDED",
    "over_quota, 4xx, false, SUCCEEDED",
    "bad_token, 4xx, false, SUCCEEDED",
    "no_route, 4xx, false, SUCCEEDED",
    "local, 5xx, false, FAILED",
    "failover-local, 5xx, false, FAILED",
    "proxied, 5xx, false, FAILED",
    "failover, 5xx, false, FAILED",
    "fenced_region, 5xx, false, FAILED",
    "fenced_key, 5xx, false, FAILED",
    "unknown_home, 5xx, false, FAILED",
    "unresolved, 5xx, false, FAILED",
    "no_table, 5xx, false, FAILED",
    "no_url, 5xx, false, FAILED",
    "loop, 5xx, false, FAILED",
    "refused, 5xx, false, FAILED",
    "local, other, false, FAILED",
    "home_down, 5xx, false, IGNORED",
    "local, 5xx, true, IGNORED",
    "local, 2xx, true, IGNORED",
    "local, '', false, IGNORED",
    "local, 5xx, '', FAILED",
  })
  void whatCountsAsAFailure(String outcome, String status, String hop, Kind kind) {
    assertThat(FrontDoorWindow.kind(new Series("orders", outcome, status, hop))).isEqualTo(kind);
  }

  @Test
  void countsFromTheFirstReadOnTheFlipsTableAcrossEveryFrontDoor() {
    FrontDoorWindow window = new FrontDoorWindow(FLIP);
    // Before the flip reached it, singapore refused and failed: the fenced window.
    window.take("singapore", at(FLIP - 1).add("local", "2xx", 100).add("local", "5xx", 50).read());
    window.take("singapore", at(FLIP).add("local", "2xx", 120).add("local", "5xx", 60).read());
    window.take("mumbai", at(FLIP).add("proxied", "2xx", 1000).read());
    window.take("singapore", at(FLIP).add("local", "2xx", 150).add("local", "5xx", 90).read());
    window.take("mumbai", at(FLIP + 1).add("proxied", "2xx", 1020).read());

    FrontDoorWindow.Figures figures = window.figures();

    assertThat(figures.requests()).isEqualTo(30 + 30 + 20);
    assertThat(figures.failed()).isEqualTo(30);
    assertThat(figures.regions()).containsExactly("mumbai", "singapore");
    assertThat(figures.failedByRegion()).containsOnly(Map.entry("singapore", Map.of("local", 30L)));
    assertThat(figures.requestsByRegion())
        .containsOnly(Map.entry("mumbai", 20L), Map.entry("singapore", 60L));
  }

  @Test
  void aFrontDoorStillOnAnOlderTableIsNotCounted() {
    FrontDoorWindow window = new FrontDoorWindow(FLIP);
    window.take("frankfurt", at(FLIP - 1).add("local", "5xx", 10).read());
    window.take("frankfurt", at(FLIP - 1).add("local", "5xx", 500).read());

    assertThat(window.figures().regions()).isEmpty();
    assertThat(window.crossed(0.05, Duration.ofMillis(1))).isNull();
    assertThat(window.summary()).isNull();
  }

  @Test
  void abortsWhenTheErrorRateIsOverTheThresholdAndSaysWhereAndHow() {
    FrontDoorWindow window = new FrontDoorWindow(FLIP);
    window.take("mumbai", at(FLIP).read());
    window.take("frankfurt", at(FLIP).read());
    window.take("singapore", at(FLIP).read());
    window.take("mumbai", at(FLIP).add("proxied", "2xx", 400).add("failover", "5xx", 2).read());
    window.take("frankfurt", at(FLIP).add("proxied", "2xx", 500).add("failover", "5xx", 9).read());
    window.take(
        "singapore",
        at(FLIP)
            .add("failover-local", "2xx", 18)
            .add("failover-local", "5xx", 380)
            .add("local", "5xx", 21)
            .add("local", "2xx", "true", 999)
            .add("home_down", "5xx", 50)
            .add("no_key", "4xx", 2)
            .read());

    String reason = window.crossed(0.05, null);

    assertThat(reason)
        .isEqualTo(
            "front-door metrics: errorRate 0.31 over 0.05 (412 of 1332 requests failed across"
                + " frankfurt, mumbai, singapore since the flip; 5xx by region: singapore 401"
                + " (failover-local 380, local 21), frankfurt 9 (failover 9), mumbai 2 (failover"
                + " 2))");
  }

  /** A window whose only front-door served {@code ok} and failed {@code failed} since the flip. */
  private static FrontDoorWindow served(long ok, long failed) {
    FrontDoorWindow window = new FrontDoorWindow(FLIP);
    window.take("mumbai", at(FLIP).read());
    window.take("mumbai", at(FLIP).add("local", "2xx", ok).add("local", "5xx", failed).read());
    return window;
  }

  @Test
  void judgesErrorRateOnlyFromTwentyRequestsAndOnlyWhenStrictlyOver() {
    FrontDoorWindow allFailed = served(0, 19);
    assertThat(allFailed.figures().errorRate()).isEqualTo(1.0);
    assertThat(allFailed.crossed(0.05, null)).as("19 requests are too few").isNull();

    FrontDoorWindow oneOfTwenty = served(19, 1);
    assertThat(oneOfTwenty.figures().requests()).isEqualTo(FrontDoorWindow.MIN_REQUESTS);
    assertThat(oneOfTwenty.crossed(0.05, null)).as("1 of 20 is 0.05, not over it").isNull();

    FrontDoorWindow twoOfTwenty = served(18, 2);
    assertThat(twoOfTwenty.crossed(0.05, null))
        .startsWith("front-door metrics: errorRate 0.10 over 0.05 (2 of 20 requests failed");
    assertThat(twoOfTwenty.crossed(null, null)).as("no threshold, nothing judged").isNull();
    assertThat(twoOfTwenty.crossed(0.1, null)).isNull();
    assertThat(twoOfTwenty.crossed(0.0, null)).isNotNull();
    assertThat(served(20, 0).crossed(0.0, null)).as("no failure is never over").isNull();
  }

  @Test
  void theBaselineLeavesOutWhatCameBeforeTheWindow() {
    FrontDoorWindow window = new FrontDoorWindow(FLIP);
    window.take("mumbai", at(FLIP).add("local", "2xx", 5000).add("local", "5xx", 4000).read());
    window.take("mumbai", at(FLIP).add("local", "2xx", 5100).add("local", "5xx", 4000).read());

    assertThat(window.figures().requests()).isEqualTo(100);
    assertThat(window.figures().failed()).isZero();
    assertThat(window.crossed(0.05, Duration.ofMillis(100))).isNull();
  }

  @Test
  void aSeriesBornInTheWindowCountsFromZero() {
    FrontDoorWindow window = new FrontDoorWindow(FLIP);
    window.take("mumbai", at(FLIP).add("local", "2xx", 10).read());
    window.take("mumbai", at(FLIP).add("local", "2xx", 40).add("unknown_home", "5xx", 5).read());

    assertThat(window.figures().failed()).isEqualTo(5);
    assertThat(window.figures().requests()).isEqualTo(35);
  }

  @Test
  void instancesBehindOneAdminUrlAreCountedEachAgainstItsOwnBaseline() {
    FrontDoorWindow window = new FrontDoorWindow(FLIP);
    window.take("mumbai", new Scrape("a", FLIP).add("local", "2xx", 1000).read());
    window.take("mumbai", new Scrape("b", FLIP).add("local", "2xx", 10).read());
    window.take("mumbai", new Scrape("a", FLIP).add("local", "2xx", 1030).read());
    window.take(
        "mumbai", new Scrape("b", FLIP).add("local", "2xx", 20).add("local", "5xx", 4).read());
    // A restarted instance has a new id: a baseline of its own, from zero.
    window.take("mumbai", new Scrape("c", FLIP).add("local", "2xx", 3).read());
    window.take("mumbai", new Scrape("c", FLIP).add("local", "2xx", 8).read());

    assertThat(window.figures().requests()).isEqualTo(30 + 14 + 5);
    assertThat(window.figures().failed()).isEqualTo(4);
    assertThat(window.figures().regions()).containsExactly("mumbai");
  }

  @Test
  void countsThatGoBackAreCountedAgainFromThereAndNoted() {
    FrontDoorWindow window = new FrontDoorWindow(FLIP);
    window.take("mumbai", new Scrape("", FLIP).add("local", "2xx", 1000).read());
    window.take("mumbai", new Scrape("", FLIP).add("local", "2xx", 1010).read());

    String note = window.take("mumbai", new Scrape("", FLIP).add("local", "2xx", 4).read());
    window.take(
        "mumbai", new Scrape("", FLIP).add("local", "2xx", 9).add("local", "5xx", 1).read());

    assertThat(note).startsWith("front-door metrics of mumbai went back");
    assertThat(window.figures().requests()).isEqualTo(6);
    assertThat(window.figures().failed()).isEqualTo(1);
  }

  @Test
  void aFrontDoorWithoutEpochOrStatusIsNotedAndNotJudged() {
    FrontDoorWindow window = new FrontDoorWindow(FLIP);
    assertThat(window.take("mumbai", at(-1).add("local", "5xx", 100).read()))
        .contains("mumbai carry no homeport_routing_epoch");
    String note = window.take("frankfurt", at(FLIP).add("local", "", 100).read());
    window.take("frankfurt", at(FLIP).add("local", "", 500).read());

    assertThat(note).contains("frankfurt do not tag homeport.requests with status");
    assertThat(window.figures().requests()).isZero();
    assertThat(window.crossed(0.0, Duration.ZERO)).isNull();
  }

  @Test
  void abortsWhenTheP99IsOverTheThresholdNamingTheSlowRegion() {
    FrontDoorWindow window = new FrontDoorWindow(FLIP);
    window.take("mumbai", at(FLIP).read());
    window.take("singapore", at(FLIP).read());
    // 60 fast requests in mumbai; in singapore 36 between 100 ms and 1 s and 4 between 1 and 5 s.
    window.take("mumbai", at(FLIP).add("proxied", "2xx", 60).read());
    window.take("singapore", at(FLIP).add("failover-local", "2xx", "false", 0, 0, 36, 4).read());

    FrontDoorWindow.Figures figures = window.figures();
    assertThat(figures.requests()).isEqualTo(100);
    // rank 99 of 100 lies in (1 s, 5 s], 3 of its 4 requests in: 1 + 4 × 3/4 = 4 s.
    assertThat(figures.p99()).isEqualTo(Duration.ofSeconds(4));

    assertThat(window.crossed(0.05, Duration.ofSeconds(2)))
        .isEqualTo(
            "front-door metrics: p99Latency 4s over 2s (p99 of 100 requests across mumbai,"
                + " singapore since the flip, from the histogram buckets; by region: singapore"
                + " 4.6s of 40, mumbai 9ms of 60)");
    assertThat(window.crossed(0.05, Duration.ofSeconds(4))).as("not over: equal").isNull();
    assertThat(window.crossed(0.05, null)).isNull();
  }

  @Test
  void judgesP99OnlyFromAHundredRequests() {
    FrontDoorWindow window = new FrontDoorWindow(FLIP);
    window.take("singapore", at(FLIP).read());
    window.take("singapore", at(FLIP).add("local", "2xx", "false", 0, 0, 0, 99).read());

    assertThat(window.figures().p99()).isGreaterThan(Duration.ofSeconds(4));
    assertThat(window.crossed(null, Duration.ofSeconds(1))).isNull();

    window.take("singapore", at(FLIP).add("local", "2xx", "false", 0, 0, 0, 100).read());
    assertThat(window.crossed(null, Duration.ofSeconds(1))).startsWith("front-door metrics: p99");
  }

  @Test
  void quantilesInterpolateInsideTheirBucketAsPrometheusDoes() {
    NavigableMap<Double, Long> h = new TreeMap<>();
    h.put(0.1, 50L);
    h.put(0.2, 90L);
    h.put(0.4, 100L);
    h.put(Double.POSITIVE_INFINITY, 100L);

    assertThat(FrontDoorWindow.quantile(0.5, h)).isEqualTo(Duration.ofMillis(100));
    assertThat(FrontDoorWindow.quantile(0.25, h)).isEqualTo(Duration.ofMillis(50));
    assertThat(FrontDoorWindow.quantile(0.7, h)).isEqualTo(Duration.ofMillis(150));
    assertThat(FrontDoorWindow.quantile(0.99, h)).isEqualTo(Duration.ofMillis(380));

    NavigableMap<Double, Long> slow = new TreeMap<>(h);
    slow.put(Double.POSITIVE_INFINITY, 200L);
    assertThat(FrontDoorWindow.quantile(0.99, slow))
        .as("in the +Inf bucket: the highest finite bound")
        .isEqualTo(Duration.ofMillis(400));

    assertThat(FrontDoorWindow.quantile(0.99, new TreeMap<>())).isNull();
    assertThat(FrontDoorWindow.quantile(0.99, new TreeMap<>(Map.of(1.0, 0L)))).isNull();
  }

  @Test
  void histogramsWithDifferentBoundsMergeWithoutCountingARequestBelowItsBound() {
    NavigableMap<Double, Long> a = new TreeMap<>(Map.of(0.1, 10L, 1.0, 20L));
    a.put(Double.POSITIVE_INFINITY, 20L);
    NavigableMap<Double, Long> b = new TreeMap<>(Map.of(0.5, 5L));
    b.put(Double.POSITIVE_INFINITY, 6L);

    NavigableMap<Double, Long> merged = FrontDoorWindow.merge(List.of(a, b));

    assertThat(merged)
        .containsExactly(
            Map.entry(0.1, 10L),
            Map.entry(0.5, 15L),
            Map.entry(1.0, 25L),
            Map.entry(Double.POSITIVE_INFINITY, 26L));
  }

  @Test
  void theSummaryGivesTheFiguresAndWhetherTheyWereEnoughToJudge() {
    FrontDoorWindow window = new FrontDoorWindow(FLIP);
    window.take("mumbai", at(FLIP).read());
    window.take("mumbai", at(FLIP).add("local", "2xx", 11).add("local", "5xx", 1).read());
    assertThat(window.summary())
        .isEqualTo(
            "front-door metrics from the flip on: 1 of 12 requests failed across mumbai, p99 9ms"
                + " (fewer than 20: too few to judge errorRate)");

    window.take("mumbai", at(FLIP).add("local", "2xx", 40).add("local", "5xx", 1).read());
    assertThat(window.summary())
        .isEqualTo(
            "front-door metrics from the flip on: 1 of 41 requests failed across mumbai, p99 9ms");
  }
}
