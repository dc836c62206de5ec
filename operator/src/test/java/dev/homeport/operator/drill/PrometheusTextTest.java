package dev.homeport.operator.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import org.junit.jupiter.api.Test;

/** The Prometheus text format as Micrometer's registry writes it, and as the format allows. */
class PrometheusTextTest {

  /** The front-door's request timer, as RoutingInterceptor registers it. */
  private static Timer requests(
      PrometheusMeterRegistry registry, String route, String outcome, String status, String hop) {
    return Timer.builder("homeport.requests")
        .tag("route", route)
        .tag("policy", "home")
        .tag("outcome", outcome)
        .tag("status", status)
        .tag("hop", hop)
        .publishPercentileHistogram()
        .register(registry);
  }

  @Test
  void readsAFrontDoorsRequestTimerFromARealRegistrysScrape() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Timer ok = requests(registry, "orders", "local", "2xx", "false");
    Timer failed = requests(registry, "orders", "failover-local", "5xx", "false");
    Timer hop = requests(registry, "orders", "local", "2xx", "true");
    for (int i = 0; i < 97; i++) {
      ok.record(Duration.ofMillis(3));
    }
    ok.record(Duration.ofMillis(700));
    ok.record(Duration.ofMillis(900));
    ok.record(Duration.ofSeconds(4));
    failed.record(Duration.ofMillis(20));
    failed.record(Duration.ofMillis(25));
    hop.record(Duration.ofMillis(1));
    Gauge.builder("homeport.routing.epoch", () -> 42).register(registry);
    Gauge.builder("homeport.frontdoor.instance", () -> 1)
        .tag("id", "mumbai-7f3a")
        .register(registry);
    String scrape = registry.scrape();

    RequestMetrics read = RequestMetrics.of(PrometheusText.parse(scrape, RequestMetrics::wanted));

    assertThat(read.instance()).isEqualTo("mumbai-7f3a");
    assertThat(read.epoch()).isEqualTo(42);
    RequestMetrics.Series okSeries = new RequestMetrics.Series("orders", "local", "2xx", "false");
    RequestMetrics.Series failedSeries =
        new RequestMetrics.Series("orders", "failover-local", "5xx", "false");
    assertThat(read.counts())
        .containsOnly(
            Map.entry(okSeries, 100L),
            Map.entry(failedSeries, 2L),
            Map.entry(new RequestMetrics.Series("orders", "local", "2xx", "true"), 1L));
    NavigableMap<Double, Long> buckets = read.buckets().get(okSeries);
    assertThat(buckets.lastKey()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(buckets.lastEntry().getValue()).isEqualTo(100L);
    assertThat(buckets.size()).as("Micrometer's percentile histogram").isGreaterThan(20);
    assertThat(buckets.floorEntry(0.0035).getValue()).as("97 requests of 3 ms").isEqualTo(97L);
    assertThat(buckets.floorEntry(1.0).getValue()).isEqualTo(99L);
    assertThat(List.copyOf(buckets.values())).isSorted();
    // What the drill's judgement gets from it: the p99 lies between 900 ms and 4 s.
    assertThat(FrontDoorWindow.quantile(0.99, buckets))
        .isGreaterThan(Duration.ofMillis(900))
        .isLessThanOrEqualTo(Duration.ofMillis(4500));
  }

  @Test
  void labelValuesWithEscapesRoundTripThroughARealRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    String route = "we\"ird\\route\nname";
    requests(registry, route, "local", "2xx", "false").record(Duration.ofMillis(5));

    List<PrometheusText.Sample> samples =
        PrometheusText.parse(registry.scrape(), RequestMetrics.COUNT::equals);

    assertThat(samples).hasSize(1);
    assertThat(samples.get(0).label("route")).isEqualTo(route);
    assertThat(samples.get(0).value()).isEqualTo(1.0);
  }

  @Test
  void readsEveryShapeTheFormatAllows() {
    String text =
        String.join(
            "\n",
            "# HELP a_total Things, with a \\\\ and a \\n in the help",
            "# TYPE a_total counter",
            "a_total 3",
            "a_total{x=\"1\"} 1.5e3",
            "a_total{x=\"2\",} 7 1700000000000",
            "a_total{ x = \"3\" , y=\"\" } -2.5",
            "a_total{x=\"inf\"} +Inf",
            "a_total{x=\"-inf\"} -Inf",
            "a_total{x=\"nan\"} NaN",
            "a_total{x=\"a,b}c\"} .5\r",
            "",
            "   ",
            "other:metric{x=\"1\"} 9",
            "# EOF");

    List<PrometheusText.Sample> samples = PrometheusText.parse(text, name -> true);

    assertThat(samples)
        .extracting(PrometheusText.Sample::value)
        .containsExactly(
            3.0,
            1500.0,
            7.0,
            -2.5,
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            Double.NaN,
            0.5,
            9.0);
    assertThat(samples.get(0).labels()).isEmpty();
    assertThat(samples.get(3).labels()).containsExactly(Map.entry("x", "3"), Map.entry("y", ""));
    assertThat(samples.get(7).label("x")).isEqualTo("a,b}c");
    assertThat(samples.get(8).name()).isEqualTo("other:metric");
  }

  @Test
  void skipsUnwantedLinesWithoutReadingTheirLabels() {
    String text = "wanted 1\nunwanted{this is not read 2\nwanted{a=\"b\"} 3\n";

    assertThat(PrometheusText.parse(text, "wanted"::equals))
        .extracting(PrometheusText.Sample::value)
        .containsExactly(1.0, 3.0);
  }

  @Test
  void refusesWhatIsNotTheFormatNamingTheLine() {
    assertThatThrownBy(() -> PrometheusText.parse("ok 1\nbad{x=\"1\" 2\n", n -> true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("line 2: labels not closed by }");
    assertThatThrownBy(() -> PrometheusText.parse("m{x=\"open} 1", n -> true))
        .hasMessageContaining("label x's value is not closed");
    assertThatThrownBy(() -> PrometheusText.parse("m{x=\"a\\tb\"} 1", n -> true))
        .hasMessageContaining("unknown escape \\t");
    assertThatThrownBy(() -> PrometheusText.parse("m{x=1} 1", n -> true))
        .hasMessageContaining("label x without a quoted value");
    assertThatThrownBy(() -> PrometheusText.parse("m{x=\"1\",x=\"2\"} 1", n -> true))
        .hasMessageContaining("label x appears twice");
    assertThatThrownBy(() -> PrometheusText.parse("m 0x1F", n -> true))
        .hasMessageContaining("\"0x1F\" is not a value");
    assertThatThrownBy(() -> PrometheusText.parse("m Infinity", n -> true))
        .hasMessageContaining("is not a value");
    assertThatThrownBy(() -> PrometheusText.parse("m", n -> true)).hasMessageContaining("no value");
    assertThatThrownBy(() -> PrometheusText.parse("m 1 2 3", n -> true))
        .hasMessageContaining("more than a value and a timestamp");
    assertThatThrownBy(() -> PrometheusText.parse("{x=\"1\"} 1", n -> true))
        .hasMessageContaining("no metric name");
    assertThatThrownBy(() -> PrometheusText.parse("<html>", n -> true))
        .hasMessageStartingWith("line 1: no metric name");
  }

  @Test
  void aCountThatIsNotOneIsRefused() {
    assertThatThrownBy(
            () ->
                RequestMetrics.of(
                    PrometheusText.parse(
                        "homeport_requests_seconds_count{outcome=\"local\"} NaN",
                        RequestMetrics::wanted)))
        .hasMessageContaining("is not a count");
    assertThatThrownBy(
            () ->
                RequestMetrics.of(
                    PrometheusText.parse(
                        "homeport_requests_seconds_bucket{outcome=\"local\"} 1",
                        RequestMetrics::wanted)))
        .hasMessageContaining("without an le label");
  }
}
